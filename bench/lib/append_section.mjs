// Appends an entry to one section of a results file, keeping that section's entries together
// even when other scripts append their own sections at the end of the file.
//   node append_section.mjs FILE "## Section heading" ENTRY_FILE
// The entry goes at the end of the section (before the next heading of the same or a higher
// level); a missing section is created at the end of the file; a missing file is created with
// the header bench/run writes.

import { existsSync, readFileSync, writeFileSync } from "node:fs";

const [file, heading, entryFile] = process.argv.slice(2);
if (!file || !heading || !entryFile) {
  console.error('usage: node append_section.mjs FILE "## Heading" ENTRY_FILE');
  process.exit(2);
}
const level = heading.match(/^#+/)?.[0].length;
if (!level) {
  console.error("the heading must start with #");
  process.exit(2);
}

const header =
  "# Benchmark results\n\nAppended by `bench/run`; see bench/README.md for how to read them.\n";
let text = existsSync(file) ? readFileSync(file, "utf8") : header;
const entry = readFileSync(entryFile, "utf8").replace(/\s+$/, "") + "\n";

const lines = text.split("\n");
// Headings inside fenced code blocks do not count.
let fenced = false;
const headingLevel = lines.map((line) => {
  if (/^(```|~~~)/.test(line)) fenced = !fenced;
  const m = !fenced && line.match(/^(#+)\s/);
  return m ? m[1].length : 0;
});
const start = lines.findIndex((line, i) => headingLevel[i] && line.trim() === heading.trim());
if (start < 0) {
  text = text.replace(/\s*$/, "\n") + `\n${heading}\n\n${entry}`;
} else {
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (headingLevel[i] && headingLevel[i] <= level) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, end).join("\n").replace(/\s*$/, "\n");
  const after = lines.slice(end).join("\n");
  text = `${before}\n${entry}${after ? `\n${after}` : ""}`;
}
writeFileSync(file, text.replace(/\n*$/, "\n"));
