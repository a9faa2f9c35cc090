#!/usr/bin/python3
# gen-storage-pool.py: a libvirt test-driver <node> file with one running dir
# pool of N volumes, for the storage benchmark
#
# Copyright 2026 The Lodge authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: gen-storage-pool.py COUNT OUTPUT.xml [--seed 11]
#
# A realistic mix, deterministic for a seed: about seven in ten volumes are
# thin qcow2 disks (10–200 GiB promised, a few GiB written), a third of them
# on a backing file (one of a few raw base images of the pool); the rest raw
# images, fully allocated (1–8 GiB), and a few ISO images. The test driver
# adds the volumes' allocations to the pool's and computes what is free.

import argparse
import random
import sys
from xml.sax.saxutils import escape

GIB = 1 << 30
MIB = 1 << 20
POOL_PATH = '/var/lib/libvirt/images'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('count', type=int)
    parser.add_argument('output')
    parser.add_argument('--seed', type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    bases = ['base-debian-12.raw', 'base-fedora-39.raw', 'base-ubuntu-24.04.raw', 'base-windows-11.raw']
    vols = []
    for name in bases:
        size = rng.randint(8, 40) * GIB
        vols.append((name, 'raw', size, size, None))
    i = 0
    while len(vols) < args.count:
        i += 1
        roll = rng.random()
        if roll < 0.70:
            cap = rng.choice([10, 20, 32, 40, 50, 64, 80, 100, 128, 200]) * GIB
            alloc = rng.randint(1, 5000) * MIB
            backing = POOL_PATH + '/' + rng.choice(bases) if rng.random() < 0.33 else None
            vols.append(('vm-%05d-disk%d.qcow2' % (i, rng.randint(0, 2)), 'qcow2', cap, alloc, backing))
        elif roll < 0.97:
            cap = rng.randint(1, 8) * GIB
            vols.append(('vm-%05d-data.img' % i, 'raw', cap, cap, None))
        else:
            cap = rng.randint(300, 6000) * MIB
            vols.append(('install-%05d.iso' % i, 'iso', cap, cap, None))

    out = ['<node>',
           "  <pool type='dir'>",
           '    <name>images</name>',
           '    <uuid>6b1d3f5e-0c11-4a5b-9e0d-511000000001</uuid>',
           "    <capacity unit='TiB'>32</capacity>",
           "    <allocation unit='bytes'>0</allocation>",
           "    <available unit='TiB'>32</available>",
           '    <target><path>%s</path></target>' % POOL_PATH]
    for name, fmt, cap, alloc, backing in vols:
        out.append("    <volume type='file'><name>%s</name>"
                   "<capacity unit='bytes'>%d</capacity><allocation unit='bytes'>%d</allocation>"
                   "<target><format type='%s'/></target>%s</volume>"
                   % (escape(name), cap, alloc, fmt,
                      "<backingStore><path>%s</path><format type='raw'/></backingStore>"
                      % escape(backing) if backing else ''))
    out += ['  </pool>', '</node>', '']
    with open(args.output, 'w') as f:
        f.write('\n'.join(out))
    print(len(vols))
    return 0


if __name__ == '__main__':
    sys.exit(main())
