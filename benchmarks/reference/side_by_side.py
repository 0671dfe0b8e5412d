"""NeuralShield next to PyTorch, in one process tree, same threads, interleaved rounds.

    /usr/bin/python3 benchmarks/reference/side_by_side.py OUT_DIR [--device cpu|cuda] [--rounds 5] [--threads 1]
        [--quick] [--cli "dotnet src/NeuralShield.Cli/bin/Release/net10.0/NeuralShield.Cli.dll"]

Each round runs `neuralshield bench fgsm pgd-40 jsma-f train-epoch --json ...` (one warm-up, one timed run of the
library and of its bare TorchSharp loop; the .NET side's timing is inside its process, so start-up is not counted)
and the same loops in PyTorch here (loops.py: one warm-up, one timed run), alternating which side goes first. The
medians over the rounds, and the median of the per-round ratios, go to OUT_DIR/side_by_side.json and
OUT_DIR/side_by_side.md. Both sides get OMP_NUM_THREADS=MKL_NUM_THREADS=threads and one inter-op thread.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CLI = 'dotnet ' + os.path.join(ROOT, 'src', 'NeuralShield.Cli', 'bin', 'Release', 'net10.0', 'NeuralShield.Cli.dll')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--cli', default=os.environ.get('NEURALSHIELD_CLI', DEFAULT_CLI))
    args = parser.parse_args()
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(args.threads)
    sys.path.insert(0, HERE)
    import loops  # after the thread variables are set
    import torch
    loops.use_threads(args.threads)
    device = torch.device(args.device)
    sizes = loops.QUICK if args.quick else loops.FULL
    python_loops = {name: loops.create(name, device, sizes) for name in loops.NAMES}
    os.makedirs(args.out, exist_ok=True)
    rows = {name: dict(neuralshield_ms=[], bare_torchsharp_ms=[], pytorch_ms=[]) for name in loops.NAMES}
    what = {}

    def dotnet_round():
        with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as f:
            path = f.name
        command = shlex.split(args.cli) + ['bench', *loops.NAMES, '--device', args.device, '--threads', str(args.threads),
                                           '--warmup', '1', '--repetitions', '1', '--json', path] + (['--quick'] if args.quick else [])
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            report = json.load(f)
        os.unlink(path)
        for r in report['results']:
            rows[r['name']]['neuralshield_ms'].append(r['library_ms'][0])
            rows[r['name']]['bare_torchsharp_ms'].append(r['bare_ms'][0])
            what[r['name']] = r['what']
        return report

    def python_round():
        for name, loop in python_loops.items():
            rows[name]['pytorch_ms'].extend(loops.measure(loop, 1, 1))

    report = None
    for r in range(args.rounds):
        if r % 2 == 0:
            report = dotnet_round()
            python_round()
        else:
            python_round()
            report = dotnet_round()
        print(f"round {r + 1}/{args.rounds}: " + ', '.join(
            f"{n} {rows[n]['neuralshield_ms'][-1]:.0f}/{rows[n]['pytorch_ms'][-1]:.0f} ms" for n in loops.NAMES), flush=True)

    results = []
    for name in loops.NAMES:
        row = rows[name]
        m = {k.replace('_ms', '_median_ms'): statistics.median(v) for k, v in row.items()}
        per_round = [a / b for a, b in zip(row['neuralshield_ms'], row['pytorch_ms'])]
        results.append(dict(name=name, what=what.get(name, name), **row, **m,
                            ratio_neuralshield_pytorch=m['neuralshield_median_ms'] / m['pytorch_median_ms'],
                            ratio_neuralshield_pytorch_per_round_median=statistics.median(per_round),
                            ratio_bare_torchsharp_pytorch=m['bare_torchsharp_median_ms'] / m['pytorch_median_ms']))
    summary = dict(date=datetime.date.today().isoformat(), device=args.device, threads=args.threads, rounds=args.rounds,
                   sizes='quick' if args.quick else 'full', torch=torch.__version__, python=platform.python_version(),
                   machine=f"{platform.platform()}, {os.cpu_count()} logical processors", dotnet_machine=report['machine'] if report else None,
                   cli=args.cli, results=results)
    with open(os.path.join(args.out, 'side_by_side.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    lines = [f"NeuralShield / PyTorch {torch.__version__}, {summary['date']}, device {args.device}, {args.threads} thread(s) each, "
             f"median of {args.rounds} interleaved rounds; {summary['machine']}.", '',
             '| loop | what | PyTorch (ms) | bare TorchSharp (ms) | NeuralShield (ms) | NeuralShield / PyTorch | per-round median | bare TorchSharp / PyTorch |',
             '|---|---|---|---|---|---|---|---|']
    for r in results:
        lines.append(f"| `{r['name']}` | {r['what']} | {r['pytorch_median_ms']:.1f} | {r['bare_torchsharp_median_ms']:.1f} | "
                     f"{r['neuralshield_median_ms']:.1f} | **{r['ratio_neuralshield_pytorch']:.2f}** | "
                     f"{r['ratio_neuralshield_pytorch_per_round_median']:.2f} | {r['ratio_bare_torchsharp_pytorch']:.2f} |")
    with open(os.path.join(args.out, 'side_by_side.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
