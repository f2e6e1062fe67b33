/** Records what a notebook would display (not a test file itself). */
export class RecordingSink {
  pngs: Uint8Array[] = [];
  htmls: string[] = [];
  png(b: Uint8Array): void {
    this.pngs.push(b);
  }
  html(s: string): void {
    this.htmls.push(s);
  }
}
