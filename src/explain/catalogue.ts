/** The symptom catalogue of the registered rules (rules/index.ts): what `explain` and `--symptom` read. */
import { rules } from '../../rules/index.js';
import { buildCatalogue } from '../engine/catalogue.js';

export const catalogue = buildCatalogue(rules);
