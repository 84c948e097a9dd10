// Pulsar's log() format: "DD/MM/YYYY, HH:MM:SS: message", local time. The server and these tests
// share the environment (TZ included), so a line's stamp must name a second this process saw
// pass while the line could have been written.

import assert from 'node:assert/strict';

export const LOG_LINE = /^(\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}): (.*)$/;

const pad = (n) => String(n).padStart(2, '0');

/** The stamp Pulsar's log() writes for `date`. */
export function logStamp(date) {
  return `${pad(date.getDate())}/${pad(date.getMonth() + 1)}/${date.getFullYear()}, ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

// time(), which the server's stamps come from, reads the kernel's coarse clock: it may lag the
// clock Date reads by up to one scheduler tick, so a line written just after a second began can
// still carry the second before.
const COARSE_CLOCK_LAG_MS = 20;

/** Every stamp from the second of `before` to the second of `after`, inclusive. */
export function stampsBetween(before, after) {
  const stamps = new Set();
  const first = Math.floor((before.getTime() - COARSE_CLOCK_LAG_MS) / 1000) * 1000;
  for (let t = first; t <= after.getTime(); t += 1000) stamps.add(logStamp(new Date(t)));
  return stamps;
}

/** Asserts `line` is a log line written between `before` and `after`; returns its message. */
export function assertLogLine(line, before, after) {
  const match = LOG_LINE.exec(line);
  assert.ok(match, `not in Pulsar's log format: ${JSON.stringify(line)}`);
  const allowed = stampsBetween(before, after);
  assert.ok(allowed.has(match[1]),
    `log stamp ${match[1]} is not one of ${[...allowed].join(' | ')} (line ${JSON.stringify(line)})`);
  return match[2];
}
