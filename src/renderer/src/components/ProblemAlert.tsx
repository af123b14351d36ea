/** A problem message under a control, announced to screen readers (role=alert); renders nothing without one. */
export function ProblemAlert({ problem }: { problem: string | null | undefined }) {
  if (!problem) return null;
  return (
    <p className="field-problem" role="alert">
      {problem}
    </p>
  );
}
