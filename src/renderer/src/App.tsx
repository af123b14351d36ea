/** Top-level layout of the studio. Panels (editor, composer, queue, gallery) mount here as they land. */
export function App() {
  return (
    <main aria-label="NewBie Studio">
      <h1>NewBie Studio</h1>
    </main>
  );
}
