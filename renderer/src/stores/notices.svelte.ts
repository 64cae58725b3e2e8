export type NoticeKind = 'info' | 'warn' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** Short messages for the user (toasts), announced politely and dismissed after a while. */
export class NoticeStore {
  items = $state<Notice[]>([]);
  private next = 1;

  push(text: string, kind: NoticeKind = 'info', ms = 6000): number {
    // The same message again refreshes the old one instead of stacking.
    const same = this.items.find((n) => n.text === text);
    if (same) this.dismiss(same.id);
    const id = this.next++;
    this.items = [...this.items.slice(-3), { id, kind, text }];
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}
