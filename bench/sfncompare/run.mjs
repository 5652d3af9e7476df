// Runs one ASL definition with npm's aws-local-stepfunctions and prints the
// timings as JSON, for bench/sfncompare (go run ./bench/sfncompare).
//
//   node run.mjs MODULE DEFINITION.json INPUT.json RUNS
//
// MODULE is the path of aws-local-stepfunctions' ESM build. One warm-up run
// is not timed. Output: {"runs_ms":[...], "output": <last result>}.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node gained
// in version 22.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const [modulePath, definitionPath, inputPath, runsArg] = process.argv.slice(2);
if (!modulePath || !definitionPath || !inputPath) {
  console.error('usage: node run.mjs MODULE DEFINITION.json INPUT.json RUNS');
  process.exit(2);
}
const { StateMachine } = await import(pathToFileURL(modulePath).href);
const definition = JSON.parse(readFileSync(definitionPath, 'utf8'));
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const runs = Number(runsArg || '5');

const machine = new StateMachine(definition);
let output = await machine.run(input).result;
const times = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  output = await machine.run(input).result;
  times.push(performance.now() - start);
}
process.stdout.write(JSON.stringify({ runs_ms: times, output }) + '\n');
