import { useEffect } from 'react';
import { useNotices, type Notice } from '../state/notices';

function NoticeItem({ notice }: { notice: Notice }) {
  const dismiss = useNotices((s) => s.dismiss);
  useEffect(() => {
    if (!notice.ttlMs || notice.level === 'error') return;
    const t = setTimeout(() => dismiss(notice.id), notice.ttlMs);
    return () => clearTimeout(t);
  }, [notice, dismiss]);
  return (
    <li className={`notice notice-${notice.level}`} role={notice.level === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      {notice.action && (
        <button
          type="button"
          onClick={() => {
            notice.action?.run();
            dismiss(notice.id);
          }}
        >
          {notice.action.label}
        </button>
      )}
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
        ✕
      </button>
    </li>
  );
}

/** The stack of notices in the corner (newest last). */
export function Notices() {
  const notices = useNotices((s) => s.notices);
  return (
    <ul className="notices" aria-label="Notifications">
      {notices.map((n) => (
        <NoticeItem key={n.id} notice={n} />
      ))}
    </ul>
  );
}
