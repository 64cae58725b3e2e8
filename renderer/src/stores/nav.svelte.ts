/** The app's sections; the URL hash names the current one so a reload stays where the user was. */
export const SECTIONS = [
  { id: 'library', label: 'Library' },
  { id: 'tagging', label: 'Tagging' },
  { id: 'generate', label: 'Generate' },
  { id: 'projects', label: 'Projects' },
  { id: 'models', label: 'Models' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

function fromHash(hash: string): SectionId {
  const id = hash.replace(/^#/, '');
  return SECTIONS.some((s) => s.id === id) ? (id as SectionId) : 'library';
}

export class NavStore {
  section = $state<SectionId>(fromHash(globalThis.location?.hash ?? ''));

  /** Follows back/forward and typed hashes; returns the unsubscribe. */
  listen(): () => void {
    const onHash = () => (this.section = fromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }

  go(id: SectionId): void {
    this.section = id;
    if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
  }
}
