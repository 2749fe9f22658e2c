// V8 timing harness (node 20): loads a .wasm with no imports and times its
// exported `run()` the way native_main.c and the wasmacro runner do: one
// warm-up call, then the best of N calls.
//
//   usage: node run.mjs MODULE.wasm [RUNS]
//
// Prints one line: checksum=<i32> best_ms=<ms> best_cpu_ms=<ms> runs=<N> load_ms=<ms>
// first_ms=<ms> first_cpu_ms=<ms>, the last two for the warm-up call.
// best_ms is wall-clock time; best_cpu_ms is the process's CPU time, all
// threads: it includes V8's background compiler and GC threads, if busy.
// load_ms covers compiling and instantiating, once. V8 compiles
// with its baseline compiler first and optimises hot functions in the
// background, so this load time is not comparable with an interpreter's; the
// warm-up call gives the optimising tier a head start, as it would have in a
// long-running compiler.
import { readFileSync } from 'node:fs';
import { cpuUsage, hrtime } from 'node:process';

function main(args) {
    if (args.length < 1 || args.length > 2) {
        console.error('usage: node run.mjs MODULE.wasm [RUNS]');
        return 2;
    }
    const runs = args.length > 1 ? Number.parseInt(args[1], 10) : 5;
    if (!(runs >= 1)) {
        console.error(`bad run count: ${args[1]}`);
        return 2;
    }
    const bytes = readFileSync(args[0]);

    // One load only: V8 keeps compiled modules in a cache keyed by the
    // module's bytes, so loading the same bytes again measures a cache hit.
    const loadStart = hrtime.bigint();
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, {});
    const loadMs = Number(hrtime.bigint() - loadStart) / 1e6;

    const run = instance.exports.run;
    if (typeof run !== 'function') {
        console.error(`${args[0]} exports no function "run"`);
        return 1;
    }
    const firstStart = hrtime.bigint();
    const firstStartCpu = cpuUsage();
    const checksum = run();
    const firstCpu = cpuUsage(firstStartCpu);
    const firstMs = Number(hrtime.bigint() - firstStart) / 1e6;
    const firstCpuMs = (firstCpu.user + firstCpu.system) / 1e3;
    let best = Infinity;
    let bestCpu = Infinity;
    for (let i = 0; i < runs; ++i) {
        const start = hrtime.bigint();
        const startCpu = cpuUsage();
        const result = run();
        const cpu = cpuUsage(startCpu);
        const elapsed = Number(hrtime.bigint() - start) / 1e6;
        if (result !== checksum) {
            console.error(`run ${i} returned ${result}, the warm-up ${checksum}`);
            return 1;
        }
        best = Math.min(best, elapsed);
        bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e3);
    }
    console.log(
        `checksum=${checksum} best_ms=${best.toFixed(3)} best_cpu_ms=${bestCpu.toFixed(3)} ` +
            `runs=${runs} load_ms=${loadMs.toFixed(3)} first_ms=${firstMs.toFixed(3)} ` +
            `first_cpu_ms=${firstCpuMs.toFixed(3)}`,
    );
    return 0;
}

process.exitCode = main(process.argv.slice(2));
