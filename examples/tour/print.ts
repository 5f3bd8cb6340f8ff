/** Section headings for the tour's output. */
export function heading(title: string, blurb: string): void {
  console.log(`\n## ${title}\n`);
  console.log(`${blurb}\n`);
}
