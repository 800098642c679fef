/** How AI Hub rewrites field names in results. */

/**
 * Rewrites a field name into an identifier as AI Hub does in results: letters, digits and `_`
 * (`due date` -> `due_date`); a leading digit gets a `_` in front.
 */
export function fieldIdentifier(name: string): string {
  const id = name.trim().replace(/[^A-Za-z0-9_]+/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id === '' ? '_' : id;
}
