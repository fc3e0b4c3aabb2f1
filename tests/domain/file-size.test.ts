import { describe, expect, it } from 'vitest';
import { formatFileSize, sizeAndLimit, tooLargeMessage } from '../../src/domain/file-size.ts';

const MB = 1024 * 1024;

describe('file sizes as people read them', () => {
  it('uses binary units, at most one decimal, and no trailing ".0"', () => {
    expect(formatFileSize(700)).toBe('700 bytes');
    expect(formatFileSize(1)).toBe('1 byte');
    expect(formatFileSize(512 * 1024)).toBe('512 KB');
    expect(formatFileSize(25 * MB)).toBe('25 MB');
    expect(formatFileSize(Math.round(26.2 * MB))).toBe('26.2 MB');
    expect(formatFileSize(1024 * 1024 - 10)).toBe('1 MB'); // not "1024 KB"
    expect(formatFileSize(3 * 1024 * MB)).toBe('3 GB');
  });

  it('never prints a size over the limit as the limit itself', () => {
    const limit = 25 * MB;
    expect(sizeAndLimit(30 * MB, limit)).toEqual({ size: '30 MB', limit: '25 MB' });
    expect(sizeAndLimit(limit + 20 * 1024, limit)).toEqual({ size: '25.02 MB', limit: '25 MB' });
    expect(sizeAndLimit(limit + 1, limit)).toEqual({
      size: '26,214,401 bytes',
      limit: '25 MB (26,214,400 bytes)',
    });
  });

  it('words a refusal with the file’s name, its size and the limit, or the limit alone when the size is unknown', () => {
    expect(tooLargeMessage('"photo.jpg"', 25 * MB, 30 * MB)).toBe(
      '"photo.jpg" is 30 MB; attachments can be at most 25 MB.',
    );
    expect(tooLargeMessage('"photo.jpg"', 25 * MB)).toBe(
      '"photo.jpg" is too large; attachments can be at most 25 MB.',
    );
  });
});
