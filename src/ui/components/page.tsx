// A view's frame: its heading, optional actions, and the document title (reference §7.1 titles).

import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/** A view's heading and the document title (reference §7.1 titles). */
export function Page({ title, docTitle, actions, children }: { title: string; docTitle?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = docTitle ?? `${title} - CLR Telemetry`;
  }, [title, docTitle]);
  return (
    <section class="page">
      <div class="page-head">
        <h1>{title}</h1>
        {actions ? <div class="page-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
