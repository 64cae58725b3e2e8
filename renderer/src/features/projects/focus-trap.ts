/** Elements Tab can reach inside a container, in order. */
function tabbables(root: HTMLElement): HTMLElement[] {
  const selector = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  return [...root.querySelectorAll<HTMLElement>(selector)].filter((el) => !el.hidden && el.offsetParent !== null);
}

/**
 * A Svelte action for modal dialogs: Tab and Shift+Tab cycle inside the node, focus moves in when
 * it mounts (the first [data-autofocus] element, else the first tabbable one) and goes back to
 * whatever had it before when it unmounts.
 */
export function trapFocus(node: HTMLElement) {
  const before = document.activeElement as HTMLElement | null;
  const first = node.querySelector<HTMLElement>('[data-autofocus]') ?? tabbables(node)[0] ?? node;
  queueMicrotask(() => first.focus());
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Tab') return;
    const items = tabbables(node);
    if (!items.length) {
      e.preventDefault();
      return;
    }
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.shiftKey && (i <= 0 || i === -1)) {
      e.preventDefault();
      items[items.length - 1].focus();
    } else if (!e.shiftKey && i === items.length - 1) {
      e.preventDefault();
      items[0].focus();
    }
  };
  // Focus that escapes (a click on the backdrop, a removed element) is brought back.
  const onFocusIn = (e: FocusEvent) => {
    if (!node.contains(e.target as Node)) (tabbables(node)[0] ?? node).focus();
  };
  node.addEventListener('keydown', onKey);
  document.addEventListener('focusin', onFocusIn);
  return {
    destroy() {
      node.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocusIn);
      if (before && document.contains(before)) before.focus();
    },
  };
}
