import { StartupError } from './startup-errors.ts';

/** A local service Parley cannot start: one line saying what to install or set (exit code 2, like StartupError). */
export class LocalServiceError extends StartupError {}
