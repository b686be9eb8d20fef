/**
 * The main section of a jar manifest (`META-INF/MANIFEST.MF`), as the JAR
 * File Specification ("Manifest Specification") defines it: UTF-8 text,
 * lines ending in CRLF, LF or CR, each header `Name: value`, a line that
 * starts with one space continuing the one before it (the space dropped),
 * and sections separated by blank lines, the first being the main one.
 * Header names are matched without regard to case, so they are returned
 * lower-cased; for a repeated header the first one wins.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of mainSectionHeaders(text)) {
    const colon = header.indexOf(':');
    if (colon <= 0) continue;

    const name = header.slice(0, colon).trim().toLowerCase();
    const value = header.slice(colon + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

function mainSectionHeaders(text: string): string[] {
  const headers: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (headers.length > 0) break;
      continue;
    }
    if (line.startsWith(' ') && headers.length > 0) {
      headers[headers.length - 1] += line.slice(1);
      continue;
    }
    headers.push(line);
  }
  return headers;
}
