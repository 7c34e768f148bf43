// Characters that string-width counts as one column each (with its default, ambiguous-is-narrow): printable
// ASCII; Latin-1 and Latin Extended, but not the soft hyphen, nor © and ® (some string-width versions count
// them as emoji); general punctuation's dashes and quotes; arrows, but not the emoji ones; box drawing.
// The build's string-width stub (scripts/build.mjs) answers a string made only of them by its length, without
// loading string-width; test/build/fast-width.test.ts checks every one against each string-width in the tree.
export const FAST_WIDTH = /^[\x20-\x7e\xa0-\xa8\xaa-\xac\xaf-\u02ff\u2010-\u2027\u2190-\u2193\u219a-\u21a8\u21ab-\u21ff\u2500-\u257f]*$/;
