// A result message after an action (the reference's flash messages), announced politely.

import type { ComponentChildren } from 'preact';

export type NoticeTone = 'success' | 'warning' | 'danger' | 'info';

export interface NoticeMessage {
  tone: NoticeTone;
  text: string;
}

export function Notice({ message, children }: { message: NoticeMessage | null; children?: ComponentChildren }) {
  if (!message) return null;
  return (
    <div class={`notice notice-${message.tone}`} role={message.tone === 'danger' ? 'alert' : 'status'}>
      {message.text}
      {children}
    </div>
  );
}
