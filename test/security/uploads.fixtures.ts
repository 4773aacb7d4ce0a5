import { documentPhoto as photo } from '../helpers/images.ts';
import { multipart as body } from '../helpers/multipart.ts';

/** The shared helpers in the positional shape the security tests read best: seed, format, frame. */
export const documentPhoto = (seed = 1, format: 'jpeg' | 'png' = 'jpeg', width = 1200, height = 800): Promise<Buffer> => photo(seed, { format, width, height });

export const multipart = (file: Buffer, filename: string, contentType: string, boundary?: string) => body(file, { filename, contentType, ...(boundary ? { boundary } : {}) });
