/**
 * Transient messages shown in the notice area (role "status" for info, "alert" for errors), optionally with one
 * action ("Undo"). Kept apart from the studio store so any module can post one.
 */
import { create } from 'zustand';
import { errorText } from '../lib/invoke';

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Notice {
  id: number;
  level: NoticeLevel;
  text: string;
  action?: { label: string; run: () => void };
  /** Auto-dismiss after this many ms (errors stay until dismissed). */
  ttlMs?: number;
}

interface NoticeState {
  notices: Notice[];
  push(n: Omit<Notice, 'id'>): number;
  dismiss(id: number): void;
}

let nextId = 1;

export const useNotices = create<NoticeState>((set) => ({
  notices: [],
  push(n) {
    const id = nextId++;
    // Keep the newest few: a burst of failures must not bury the screen.
    set((s) => ({ notices: [...s.notices.slice(-4), { ...n, id }] }));
    return id;
  },
  dismiss(id) {
    set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  },
}));

/** Posts an info line that disappears after a few seconds. */
export const notifyInfo = (text: string, action?: Notice['action']): number =>
  useNotices.getState().push({ level: 'info', text, action, ttlMs: action ? 8000 : 4000 });

/** Posts an error (any thrown value) that stays until dismissed. */
export const notifyError = (e: unknown, prefix?: string): number =>
  useNotices.getState().push({ level: 'error', text: prefix ? `${prefix}: ${errorText(e)}` : errorText(e) });
