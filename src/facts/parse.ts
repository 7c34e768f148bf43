import { parseCertificate, type ParsedCert } from '../x509/certificate.js';
import { decodeCertificates } from '../x509/pem.js';
import { atIndex, type Source, type SourceLabel } from '../model/source.js';

/**
 * Parses sets of PEM texts; each certificate's source is its set's source and its position among all the
 * certificates of that source (`chain.pem #2`), which is how evidence lines and verify commands find it; `label`
 * renders it (the report's, handed down by the pipeline).
 */
export function parseCertSets(sets: ReadonlyArray<{ source: string; origin?: Source; pems: readonly string[] }>, label: SourceLabel): ParsedCert[] {
  const out: ParsedCert[] = [];
  const counts = new Map<string, number>();
  for (const set of sets) {
    // A bundle saved before sources were typed names its files by path.
    const origin: Source = set.origin ?? { kind: 'file', path: set.source };
    for (const pem of set.pems) {
      for (const block of decodeCertificates(pem, set.source)) {
        const n = (counts.get(set.source) ?? 0) + 1;
        counts.set(set.source, n);
        const at = atIndex(origin, n);
        const parsed = parseCertificate(block.der, label(at));
        out.push({ ...parsed, fact: { ...parsed.fact, origin: at } });
      }
    }
  }
  return out;
}
