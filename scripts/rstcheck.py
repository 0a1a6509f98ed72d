#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rstcheck.py <root> <file.rst>...: parse each file with docutils and fail on
any message of level WARNING or worse.

Two Sphinx-only directives get stand-ins that check what they can without
Sphinx: kernel-doc (its file exists under <root>; its output is checked by
kernel-doc -rst -Wall in style.sh) and literalinclude (its file exists next
to the .rst and contains the start-at/start-after/end-before text)."""
import os
import sys

from docutils import nodes, utils
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives


class KernelDoc(Directive):
    required_arguments = 1
    option_spec = {k: directives.unchanged for k in
                   ('export', 'internal', 'identifiers', 'functions',
                    'no-identifiers', 'doc')}

    def run(self):
        path = os.path.join(ROOT, self.arguments[0])
        if not os.path.isfile(path):
            raise self.error('kernel-doc: no file %s' % path)
        return []


class LiteralInclude(Directive):
    required_arguments = 1
    option_spec = {k: directives.unchanged for k in
                   ('language', 'lines', 'start-at', 'start-after',
                    'end-at', 'end-before', 'caption', 'linenos')}

    def run(self):
        src = self.state.document.current_source
        path = os.path.join(os.path.dirname(src), self.arguments[0])
        if not os.path.isfile(path):
            raise self.error('literalinclude: no file %s' % path)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for opt in ('start-at', 'start-after', 'end-at', 'end-before'):
            if opt in self.options and self.options[opt] not in text:
                raise self.error('literalinclude: %s %r not in %s' %
                                 (opt, self.options[opt], path))
        return [nodes.literal_block(text, text)]


ROOT = sys.argv[1]
directives.register_directive('kernel-doc', KernelDoc)
directives.register_directive('literalinclude', LiteralInclude)
bad = 0
for rst in sys.argv[2:]:
    with open(rst, encoding='utf-8') as f:
        doc = publish_doctree(f.read(), source_path=rst, settings_overrides={
            'report_level': utils.Reporter.WARNING_LEVEL,
            'halt_level': utils.Reporter.SEVERE_LEVEL + 1,
            'warning_stream': sys.stderr})
    msgs = [m for m in doc.findall(nodes.system_message)
            if m['level'] >= utils.Reporter.WARNING_LEVEL]
    bad += len(msgs)
sys.exit(1 if bad else 0)
