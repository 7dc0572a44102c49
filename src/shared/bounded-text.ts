/**
 * `text` cut to at most `max` characters, its end replaced by a marker that says so and how long it was
 * (`total`, when `text` is already a prefix of something longer). Unchanged when it fits; bounding twice
 * changes nothing.
 */
export function boundText(text: string, max: number, total = text.length): string {
  if (total <= max) return text;
  const marker = ` …[truncated: ${total} characters in all]`;
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}
