import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { strictObject } from '../../../src/setup/strict-object.ts';

/**
 * The widget's texts: English and German ship in widget/strings.json, the one list of keys. The
 * server puts that file into widget.js when it serves it (widget.routes.ts) and checks a widget's
 * `strings` setting against its keys, so a misspelt key is refused with the admin's other mistakes.
 */
export type WidgetStrings = Record<string, string>;

export const shippedStrings: Record<string, WidgetStrings> = JSON.parse(
  readFileSync(new URL('./widget/strings.json', import.meta.url), 'utf8'),
);

/** Every text the widget shows, by key (the English set is complete; others fall back to it). */
export const stringKeys = Object.keys(shippedStrings.en ?? {});

/** A language tag as `<html lang>` and the browser give it: "fr", "pt-BR", "zh-Hant-TW". */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

const oneLanguage = strictObject(
  Object.fromEntries(stringKeys.map((k) => [k, z.string().trim().min(1).max(500).optional()])),
);

/**
 * `strings`: per language, the texts this widget shows instead of the shipped ones, e.g.
 * `{ "en": { "title": "Talk to Acme" }, "fr": { "title": "Écrivez-nous", ... } }`. A language
 * Parley does not ship is added by naming it; its missing keys are the English ones.
 */
export const widgetStringsSchema = z
  .record(z.string().regex(LANGUAGE_TAG, 'must be a language tag such as "fr" or "pt-BR"'), oneLanguage)
  .refine((r) => Object.keys(r).length <= 50, 'at most 50 languages')
  .transform((r) =>
    Object.fromEntries(
      Object.entries(r).map(([lang, texts]) => [
        lang.toLowerCase(),
        Object.fromEntries(Object.entries(texts).filter(([, v]) => v !== undefined)) as WidgetStrings,
      ]),
    ),
  );
