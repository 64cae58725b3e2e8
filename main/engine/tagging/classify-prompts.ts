/**
 * The zero-shot prompt ensemble of a UCS subcategory, built from its Category, SubCategory,
 * Explanations and Synonyms. CLAP was trained on captions, so prompts read like captions; the
 * ensemble's mean text vector (each prompt normalised first) is the CatID's class vector, which
 * keeps one oddly worded prompt from deciding the class.
 */
import type { UcsCategory } from '../ucs/catalogue';
import { ucsLabelPhrase } from '../ucs/label';

/** Synonyms per synonym prompt: enough to say what the class is, few enough to stay one idea. */
const SYNONYMS_PER_PROMPT = 6;

/** Bump when the prompts change: stored class vectors are keyed by it and are recomputed. */
export const PROMPT_VERSION = 2;

export function categoryPrompts(c: UcsCategory, maxPrompts: number): string[] {
  const label = ucsLabelPhrase(c);
  const sub = c.subCategory.toLowerCase();
  const prompts = [`the sound of ${label}`, `${sub} sound effect, ${c.category.toLowerCase()}`];
  const explanation = c.explanation.replace(/\s+/g, ' ').trim();
  if (explanation) prompts.push(explanation);
  for (let i = 0; i < c.synonyms.length && prompts.length < maxPrompts; i += SYNONYMS_PER_PROMPT) {
    // The synonyms alone: repeating the label in every prompt would let one name word decide the
    // whole ensemble ("designed boom: …" in each prompt of DSGNBoom).
    prompts.push(`sounds like ${c.synonyms.slice(i, i + SYNONYMS_PER_PROMPT).join(', ')}`);
  }
  return prompts.slice(0, maxPrompts);
}
