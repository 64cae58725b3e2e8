import type { z } from 'zod';
import { appChannels, appEvents } from './app';
import { generateChannels } from './generate';
import { jobsChannels, jobsEvents } from './jobs';
import { libraryChannels } from './library';
import { mediaChannels } from './media';
import { metaChannels } from './meta';
import { modelsChannels } from './models';
import { projectsChannels } from './projects';
import { searchChannels } from './search';
import { tagWriteChannels } from './tag-write';
import { taggingChannels } from './tagging';
import { uiChannels } from './ui';

export * from './app';
export * from './common';
export * from './generate';
export * from './jobs';
export * from './library';
export * from './media';
export * from './meta';
export * from './models';
export * from './projects';
export * from './search';
export * from './tag-write';
export * from './tagging';
export * from './ui';
export * from './wire';

/** Every invokable channel: name -> { input, output } schemas. */
export const channels = {
  ...libraryChannels,
  ...metaChannels,
  ...searchChannels,
  ...mediaChannels,
  ...jobsChannels,
  ...modelsChannels,
  ...uiChannels,
  ...appChannels,
  ...generateChannels,
  ...projectsChannels,
  ...tagWriteChannels,
  ...taggingChannels,
};

/** Channels the host (Electron main, web bridge) answers; every other channel goes to the engine. */
export const hostChannelNames = Object.keys(appChannels) as HostChannelName[];
export type HostChannelName = keyof typeof appChannels;
export type EngineChannelName = Exclude<ChannelName, HostChannelName>;

/** Every event the engine pushes: name -> payload schema. */
export const events = {
  ...jobsEvents,
  ...appEvents,
};

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
/** What a caller may send (defaults not yet applied). */
export type ChannelInput<N extends ChannelName> = z.input<Channels[N]['input']>;
/** What a handler receives after the schema parsed it. */
export type ChannelParsed<N extends ChannelName> = z.infer<Channels[N]['input']>;
export type ChannelOutput<N extends ChannelName> = z.infer<Channels[N]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.infer<Events[N]>;
