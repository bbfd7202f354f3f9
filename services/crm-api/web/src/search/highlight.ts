/**
 * Highlighting a search snippet from the query's words, as text segments the page renders as
 * React text and <mark> elements (never HTML). Matching folds case and accents, so "muller"
 * marks "Müller"; a term matches at the start of a word ("commit" marks "commitment").
 */

export interface Segment {
  text: string;
  match: boolean;
}

/** Words too common to be worth marking (the index drops English stop words too). */
const STOP = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "the", "to", "was", "with"]);

/** Lower case without diacritics, one output character per input code unit where possible. */
function fold(text: string): string {
  let out = "";
  for (const char of text) {
    const base = char.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();
    // Keep the same length as the original so offsets line up; odd expansions keep the char.
    out += base.length === char.length ? base : char.toLowerCase().length === char.length ? char.toLowerCase() : char;
  }
  return out;
}

/** The distinct terms of a query worth marking: words of 2+ letters, no stop words, longest first. */
export function queryTerms(query: string): string[] {
  const words = fold(query).match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  const terms = new Set(words.map((word) => word.replace(/['’-]+$/u, "")).filter((word) => word.length >= 2 && !STOP.has(word)));
  return [...terms].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Splits `text` into plain and matched segments; adjacent segments of one kind are merged. */
export function highlight(text: string, terms: readonly string[]): Segment[] {
  if (text === "") return [];
  if (terms.length === 0) return [{ text, match: false }];
  const folded = fold(text);
  const marked = new Uint8Array(text.length);
  for (const term of terms) {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(term, from);
      if (at === -1) break;
      const before = at === 0 ? "" : folded.charAt(at - 1);
      if (before === "" || !WORD_CHAR.test(before)) marked.fill(1, at, at + term.length);
      from = at + 1;
    }
  }
  const segments: Segment[] = [];
  let start = 0;
  for (let index = 1; index <= text.length; index += 1) {
    if (index === text.length || marked[index] !== marked[start]) {
      segments.push({ text: text.slice(start, index), match: marked[start] === 1 });
      start = index;
    }
  }
  return segments;
}
