#!/usr/bin/env python3
"""The core's public surface now against a past commit, by where each entry's type comes from.

Usage: scripts/public-api-since.py BASE [--project src/NeuralShield]

Reads PublicAPI.Unshipped.txt of the project at BASE (git show) and in the working tree, assigns every entry to the type
that declares it (the longest dotted prefix that the file declares as a type), maps the namespace moves listed in MOVES
(so that a type that moved is the same type), and prints: the entries then and now, the types public then and how many
of them are public now, the entries those types have now, and the entries of types added since, by namespace.
"""
import argparse
import collections
import re
import subprocess

# Namespace moves since the issue-21 redesign began: the vocabulary moved to the root namespace, the defense evaluation to Evaluation.
MOVES = [
    (r'NeuralShield\.(?:Attacks|Defenses|Models|Internal)\.(IAttack|AttackDescriptor|AttackFamily|ModelAccess|GoalSupport|PaperReference|Papers|'
     r'IDefense|DefenseDescriptor|DefenseKind|InputBounds|RunOptions|RunProgress|OptionsBase)\b', r'NeuralShield.\1'),
    (r'NeuralShield\.Defenses\.Evaluation\.', 'NeuralShield.Evaluation.'),
]
MODIFIERS = re.compile(r'^~?(?:(?:abstract|override|static|virtual|const|readonly|sealed|new) )*')


def entries(text):
    return [line for line in text.splitlines() if line.strip() and not line.startswith('#')]


def moved(line):
    for pattern, replacement in MOVES:
        line = re.sub(pattern, replacement, line)
    return line


def arity(text):
    """Generic argument lists written by their arity only (Foo<TModel, TOptions> -> Foo<,>), so that names split on spaces."""
    return re.sub(r'<([^<>()]*)>', lambda m: '<' + ',' * m.group(1).count(',') + '>', text)


def declared_types(lines):
    return {arity(MODIFIERS.sub('', line).strip()) for line in lines if '->' not in line and '(' not in line}


def owner(line, types):
    head = re.split(r'[ (]', arity(MODIFIERS.sub('', line)))[0].split('.')
    for k in range(len(head), 1, -1):
        candidate = '.'.join(head[:k])
        if candidate in types:
            return candidate
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('base')
    parser.add_argument('--project', default='src/NeuralShield')
    args = parser.parse_args()
    path = f'{args.project}/PublicAPI.Unshipped.txt'
    before = [moved(line) for line in entries(subprocess.check_output(['git', 'show', f'{args.base}:{path}'], text=True))]
    now = entries(open(path, encoding='utf-8').read())
    types_before, types_now = declared_types(before), declared_types(now)
    kept = types_before & types_now
    of_kept_now = [line for line in now if owner(line, types_now) in kept]
    added = collections.Counter()
    for line in now:
        t = owner(line, types_now)
        if t not in kept:
            added['.'.join(t.split('.')[:2]) if t else '(no type)'] += 1
    print(f'entries: {len(before)} at {args.base}, {len(now)} now')
    print(f'types public at {args.base}: {len(types_before)}; still public: {len(kept)}; gone: {len(types_before - types_now)}')
    print(f'entries of the types still public: {sum(1 for line in before if owner(line, types_before) in kept)} then, {len(of_kept_now)} now')
    print(f'entries of types added since: {len(now) - len(of_kept_now)}')
    for namespace, count in added.most_common():
        print(f'  {namespace}: {count}')
    print('types gone: ' + ', '.join(sorted(types_before - types_now)))


if __name__ == '__main__':
    main()
