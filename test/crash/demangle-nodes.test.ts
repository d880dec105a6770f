import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgPack, DemangleFailure, NameNode, PointerType, Printer, QualifiedType, TemplateName,
  createPointer, createQualified, expandPack,
} from '../../src/crash/demangle-nodes.ts';

const print = (node: { print(p: Printer): void }) => {
  const printer = new Printer();
  node.print(printer);
  return printer.text;
};
const INT = new NameNode('int');

describe('createPointer', () => {
  test('collapses a reference to a reference as C++ does', () => {
    assert.equal(print(createPointer(createPointer(INT, '&'), '&&')), 'int&');
    assert.equal(print(createPointer(createPointer(INT, '&&'), '&')), 'int&');
    assert.equal(print(createPointer(createPointer(INT, '&&'), '&&')), 'int&&');
  });

  test('keeps a pointer to a pointer', () => {
    assert.equal(print(createPointer(createPointer(INT, '*'), '*')), 'int**');
  });
});

describe('createQualified', () => {
  test('merges qualifiers without repeating them', () => {
    const node = createQualified(createQualified(INT, ' const'), ' volatile const');
    assert.ok(node instanceof QualifiedType);
    assert.equal(print(node), 'int const volatile');
  });
});

describe('expandPack', () => {
  test('repeats the pattern once per pack item', () => {
    const pack = new ArgPack([INT, new NameNode('char')]);
    assert.equal(print(expandPack(createPointer(pack, '&&'))), 'int&&, char&&');
  });

  test('returns the pattern when it names no pack', () => {
    const pattern = new PointerType(INT, '*');
    assert.equal(expandPack(pattern), pattern);
  });
});

describe('TemplateName', () => {
  test('puts a space between closing angle brackets', () => {
    const inner = new TemplateName(new NameNode('B'), [INT]);
    assert.equal(print(new TemplateName(new NameNode('A'), [inner])), 'A<B<int> >');
  });
});

describe('Printer', () => {
  test('gives up when the output grows past its limit', () => {
    const printer = new Printer();
    assert.throws(() => printer.add('x'.repeat(20_000)), DemangleFailure);
  });
});
