// XML's five escapes are HTML's too (HTML5 knows &apos;); characters neither should hold become U+FFFD.
import { escapeXml as esc } from '../../shared/junit-xml.ts';

export { esc };

/**
 * One figure as the JSON report holds it, tagged so a test (or a scraper) can find it: `data-metric` names
 * the figure, the text is its value exactly as in the JSON; units stand outside the element.
 */
export const metric = (name: string, value: string | number, tag = 'span'): string =>
  `<${tag} data-metric="${esc(name)}">${esc(String(value))}</${tag}>`;
