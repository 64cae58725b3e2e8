import type { SearchHit } from '../../../preload/contract';
import type { Host } from '../lib/transport';
import type { NoticeStore } from './notices.svelte';

/**
 * Playback through one <audio> element streaming from the host's media route. A result plays
 * from its matching window's start; Space on the playing result stops it.
 */
export class PlayerStore {
  /** The file loaded in the element (playing or not). */
  path = $state<string | null>(null);
  playing = $state(false);
  /** Seconds, updated every animation frame while playing (for the playhead). */
  time = $state(0);
  private audio: HTMLAudioElement | null = null;
  private token = 0;
  private frame = 0;

  constructor(
    private readonly host: Host,
    private readonly notices: NoticeStore,
  ) {}

  /** Binds the element; returns the function that unbinds it. */
  attach(audio: HTMLAudioElement): () => void {
    this.audio = audio;
    const onPlay = () => {
      this.playing = true;
      this.tick();
    };
    const onStop = () => {
      this.playing = false;
      this.time = audio.currentTime;
      cancelAnimationFrame(this.frame);
    };
    const onError = () => {
      if (!audio.getAttribute('src')) return;
      onStop();
      const code = audio.error?.code;
      this.notices.push(
        code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED
          ? 'This file cannot be played here: the format is not supported for preview, or access was refused.'
          : 'Playback failed.',
        'error',
      );
    };
    audio.addEventListener('play', onPlay);
    audio.addEventListener('pause', onStop);
    audio.addEventListener('ended', onStop);
    audio.addEventListener('error', onError);
    return () => {
      audio.removeEventListener('play', onPlay);
      audio.removeEventListener('pause', onStop);
      audio.removeEventListener('ended', onStop);
      audio.removeEventListener('error', onError);
      cancelAnimationFrame(this.frame);
      this.audio = null;
    };
  }

  isPlaying(path: string): boolean {
    return this.playing && this.path === path;
  }

  async toggle(hit: SearchHit): Promise<void> {
    if (this.isPlaying(hit.path)) this.stop();
    else await this.play(hit);
  }

  async play(hit: SearchHit): Promise<void> {
    const audio = this.audio;
    if (!audio) return;
    const token = ++this.token;
    if (this.path !== hit.path || !audio.getAttribute('src')) {
      audio.pause();
      audio.src = this.host.mediaUrl(hit.path);
      this.path = hit.path;
      audio.load();
    }
    if (audio.readyState < HTMLMediaElement.HAVE_METADATA) {
      const ok = await new Promise<boolean>((resolve) => {
        const done = (v: boolean) => {
          audio.removeEventListener('loadedmetadata', yes);
          audio.removeEventListener('error', no);
          resolve(v);
        };
        const yes = () => done(true);
        const no = () => done(false);
        audio.addEventListener('loadedmetadata', yes);
        audio.addEventListener('error', no);
      });
      if (!ok || token !== this.token) return;
    }
    const duration = Number.isFinite(audio.duration) ? audio.duration : hit.duration;
    audio.currentTime = Math.max(0, Math.min(hit.start, duration - 0.05));
    this.time = audio.currentTime;
    try {
      await audio.play();
    } catch (err) {
      if (token === this.token && !(err instanceof DOMException && err.name === 'AbortError')) {
        this.notices.push(`Playback failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
      }
    }
  }

  stop(): void {
    this.token++;
    this.audio?.pause();
  }

  private tick = (): void => {
    cancelAnimationFrame(this.frame);
    const step = () => {
      if (!this.audio || this.audio.paused) return;
      this.time = this.audio.currentTime;
      this.frame = requestAnimationFrame(step);
    };
    this.frame = requestAnimationFrame(step);
  };
}
