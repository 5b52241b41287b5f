// The Markdown rendering check: an independent verifier of the `unicode`
// text scheme's promise that a marked text renders the same.
//
// For every corpus/*.md file: mark it with the real CLI (`$HALLMARK_CLI
// mark`), render the original and the marked text with two independent
// renderers (commonmark.js, and markdown-it with tables, linkify and
// typographer on), map the mark's code points (U+2004, U+2005, U+2008) in the
// marked HTML back to U+0020, and require the HTML to be identical.
//
// Run: HALLMARK_CLI=/path/to/hallmark node --test render_equivalence.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as commonmark from 'commonmark';
import MarkdownIt from 'markdown-it';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.join(here, 'corpus');
const cli = process.env.HALLMARK_CLI;
const MARK_SPACES = /[\u2004\u2005\u2008]/g;
const ROUNDS = 6;

function normalize(text) {
  return text.replace(MARK_SPACES, ' ');
}

function run(args) {
  const result = spawnSync(cli, args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return result;
}

const renderers = {
  'commonmark.js': (() => {
    const reader = new commonmark.Parser();
    const writer = new commonmark.HtmlRenderer();
    return (text) => writer.render(reader.parse(text));
  })(),
  'commonmark.js (smart)': (() => {
    const reader = new commonmark.Parser({ smart: true });
    const writer = new commonmark.HtmlRenderer();
    return (text) => writer.render(reader.parse(text));
  })(),
  'markdown-it': (() => {
    // The default preset has tables and strikethrough on.
    const md = new MarkdownIt({ html: true, linkify: true, typographer: true });
    return (text) => md.render(text);
  })(),
};

// Where two HTML renderings first differ, with context, and the marked
// source line that produced it.
function explainDifference(expected, actual, original, marked) {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 160);
  const show = (s) => JSON.stringify(s.slice(from, i + 160));
  const lines = original.split('\n');
  const markedLines = marked.split('\n');
  const changed = [];
  for (let n = 0; n < lines.length; n++) {
    if (lines[n] !== markedLines[n]) changed.push(n + 1);
  }
  return `HTML differs at offset ${i}\n` +
    `  original HTML: ${show(expected)}\n` +
    `  marked HTML (normalized): ${show(actual)}\n` +
    `  (marked source lines with mark code points: ${changed.join(', ')})`;
}

// The smallest block (text between blank lines) whose rendering alone
// changes: the exact case to report.
function culpritBlocks(render, original, marked) {
  const originalBlocks = original.split(/\n\n/);
  const markedBlocks = marked.split(/\n\n/);
  const found = [];
  for (let b = 0; b < originalBlocks.length && b < markedBlocks.length; b++) {
    if (originalBlocks[b] === markedBlocks[b]) continue;
    const a = render(originalBlocks[b]);
    const m = normalize(render(markedBlocks[b]));
    if (a !== m) {
      found.push(`  block ${b + 1}, marked source ${JSON.stringify(markedBlocks[b])}\n` +
        `    original HTML: ${JSON.stringify(a)}\n    marked HTML:   ${JSON.stringify(m)}`);
    }
  }
  return found.join('\n');
}

describe('marked Markdown renders the same', () => {
  let work;
  let keys;
  const files = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.md')).sort();

  before(() => {
    assert.ok(cli, 'HALLMARK_CLI must name the hallmark binary');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hallmark-markdown-'));
    keys = path.join(work, 'keys');
    const keygen = run(['keygen', '--out', keys, '--id', 'markdown-check']);
    assert.equal(keygen.status, 0, keygen.stderr);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the corpus is not empty', () => {
    assert.ok(files.length >= 5, `only ${files.length} corpus files`);
  });

  for (const file of files) {
    test(file, () => {
      const input = path.join(corpusDir, file);
      const original = fs.readFileSync(input, 'utf8');
      // Each mark has a fresh random payload, so each round puts other
      // symbols on the carriers: a carrier stays U+0020 in all of them with
      // probability 4^-ROUNDS.
      for (let round = 1; round <= ROUNDS; round++) {
        checkOneMark(file, input, original, round);
      }
    });
  }

  function checkOneMark(file, input, original, round) {
    const out = path.join(work, `${round}-${file}`);
    const mark = run(['mark', '--keys', keys, '--out', out, input]);
    assert.equal(mark.status, 0, `hallmark mark failed: ${mark.stderr}`);
    const info = JSON.parse(mark.stdout.trim().split('\n').pop());
    assert.equal(info.decision, 'DECISION_MARKED',
      `${file} was not marked (${info.reason}, ${info.carriers}/${info.carriers_needed} carriers)`);

    const marked = fs.readFileSync(out, 'utf8');
    assert.notEqual(marked, original, 'the marked text equals the input');
    assert.equal(normalize(marked), original,
      'marking changed more than U+0020 spaces into U+2004/U+2005/U+2008');

    const detect = run(['detect', '--keys', keys, out]);
    assert.equal(detect.status, 0, `the marked file does not verify: ${detect.stdout}`);

    for (const [name, render] of Object.entries(renderers)) {
      const expected = render(original);
      const actual = normalize(render(marked));
      if (actual !== expected) {
        assert.fail(`${name} renders ${file} differently once marked (round ${round}).\n` +
          explainDifference(expected, actual, original, marked) + '\n' +
          culpritBlocks(render, original, marked));
      }
    }
  }
});
