// The tree that demangle.ts builds from an Itanium C++ mangled name, and its
// printing in c++filt's style (`char const*`, `int (*)(int)`, `A<B<int> >`). Pure.
// Over 300 lines: one small class per C++ declarator form; they print each other.

/** Thrown inside the demangler only, caught by demangle(), which then returns the name unchanged. */
export class DemangleFailure {}

// Bounds that keep substitution bombs (names that expand exponentially) cheap.
const MAX_OUTPUT_LENGTH = 16_384;
const MAX_PRINT_STEPS = 100_000;

export class Printer {
  text = '';
  #steps = 0;

  add(part: string): void {
    this.text += part;
    if (this.text.length > MAX_OUTPUT_LENGTH) throw new DemangleFailure();
  }

  step(): void {
    this.#steps += 1;
    if (this.#steps > MAX_PRINT_STEPS) throw new DemangleFailure();
  }

  endsWith(suffix: string): boolean {
    return this.text.endsWith(suffix);
  }
}

export abstract class Node {
  abstract printLeft(p: Printer): void;

  printRight(_p: Printer): void {}

  /** Array and function types print around a pointer: `int (*) [3]`, `void (*)(int)`. */
  get wraps(): 'array' | 'function' | null {
    return null;
  }

  print(p: Printer): void {
    p.step();
    this.printLeft(p);
    this.printRight(p);
  }
}

export class NameNode extends Node {
  constructor(readonly text: string, readonly baseName: string = text) {
    super();
  }

  printLeft(p: Printer): void {
    p.add(this.text);
  }
}

export class NestedName extends Node {
  constructor(readonly scope: Node, readonly name: Node) {
    super();
  }

  printLeft(p: Printer): void {
    this.scope.print(p);
    p.add('::');
    this.name.print(p);
  }
}

export class AbiTagged extends Node {
  constructor(readonly name: Node, readonly tag: string) {
    super();
  }

  printLeft(p: Printer): void {
    this.name.print(p);
    p.add(`[abi:${this.tag}]`);
  }
}

/** `J…E`: a template argument pack, printed as its items. */
export class ArgPack extends Node {
  readonly items: readonly Node[];

  constructor(items: readonly Node[]) {
    super();
    // a pack inside a pack is its items
    this.items = items.flatMap((item) => (item instanceof ArgPack ? item.items : [item]));
  }

  printLeft(p: Printer): void {
    printList(p, this.items);
  }
}

export class TemplateName extends Node {
  constructor(readonly name: Node, readonly args: readonly Node[]) {
    super();
  }

  printLeft(p: Printer): void {
    this.name.print(p);
    if (p.endsWith('<')) p.add(' '); // `operator< <int>`
    p.add('<');
    const droppedPack = printList(p, this.args);
    // `A<B<int> >`; c++filt omits the space after an empty trailing pack: `A<int, B<int>>`
    if (p.endsWith('>') && !droppedPack) p.add(' ');
    p.add('>');
  }
}

export class LocalName extends Node {
  readonly encoding: Node;

  constructor(encoding: Node, readonly entity: Node) {
    super();
    // c++filt leaves out the return type of the enclosing function: `f<int>(int)::x`
    this.encoding =
      encoding instanceof FunctionNode && encoding.name !== null
        ? new FunctionNode(null, encoding.params, encoding.qualifiers, encoding.refQualifier, encoding.name)
        : encoding;
  }

  printLeft(p: Printer): void {
    this.encoding.print(p);
    p.add('::');
    this.entity.print(p);
  }
}

/** `{lambda(int)#1}` */
export class LambdaName extends Node {
  constructor(readonly params: readonly Node[], readonly number: number) {
    super();
  }

  printLeft(p: Printer): void {
    p.add('{lambda(');
    printList(p, this.params);
    p.add(`)#${this.number}}`);
  }
}

/** A prefix before a whole name: `vtable for A`, `guard variable for x`. */
export class SpecialName extends Node {
  constructor(
    readonly prefix: string,
    readonly child: Node,
    readonly suffix: Node | null = null,
    readonly between = '',
  ) {
    super();
  }

  printLeft(p: Printer): void {
    p.add(this.prefix);
    this.child.print(p);
    if (this.suffix !== null) {
      p.add(this.between);
      this.suffix.print(p);
    }
  }
}

/** `int const`, `char volatile` (cv-qualifiers print after the type, as c++filt does). */
export class QualifiedType extends Node {
  constructor(readonly inner: Node, readonly qualifiers: string) {
    super();
  }

  printLeft(p: Printer): void {
    this.inner.printLeft(p);
    p.add(this.qualifiers);
  }

  override printRight(p: Printer): void {
    this.inner.printRight(p);
  }

  override get wraps(): 'array' | 'function' | null {
    return this.inner.wraps;
  }
}

/** `*`, `&`, `&&`, ` _Complex`, ` _Imaginary` after the pointee. */
export class PointerType extends Node {
  constructor(readonly pointee: Node, readonly sigil: string) {
    super();
  }

  printLeft(p: Printer): void {
    this.pointee.printLeft(p);
    const wraps = this.pointee.wraps;
    if (wraps === 'array') p.add(' ');
    if (wraps !== null) p.add('(');
    p.add(this.sigil);
  }

  override printRight(p: Printer): void {
    if (this.pointee.wraps !== null) p.add(')');
    this.pointee.printRight(p);
  }
}

export class PointerToMember extends Node {
  constructor(readonly classType: Node, readonly member: Node) {
    super();
  }

  printLeft(p: Printer): void {
    this.member.printLeft(p);
    p.add(this.member.wraps !== null ? '(' : ' ');
    this.classType.print(p);
    p.add('::*');
  }

  override printRight(p: Printer): void {
    if (this.member.wraps !== null) p.add(')');
    this.member.printRight(p);
  }
}

export class ArrayType extends Node {
  constructor(readonly element: Node, readonly dimension: string) {
    super();
  }

  printLeft(p: Printer): void {
    this.element.printLeft(p);
  }

  override printRight(p: Printer): void {
    if (!p.endsWith(']')) p.add(' ');
    p.add(`[${this.dimension}]`);
    this.element.printRight(p);
  }

  override get wraps(): 'array' {
    return 'array';
  }
}

/** A function type (`F…E`), or a whole function when `name` is set. */
export class FunctionNode extends Node {
  constructor(
    readonly returnType: Node | null,
    readonly params: readonly Node[],
    readonly qualifiers: string,
    readonly refQualifier: string,
    readonly name: Node | null = null,
  ) {
    super();
  }

  withQualifiers(qualifiers: string): FunctionNode {
    const merged = this.qualifiers + qualifiers;
    return new FunctionNode(this.returnType, this.params, merged, this.refQualifier, this.name);
  }

  printLeft(p: Printer): void {
    if (this.returnType !== null) {
      this.returnType.printLeft(p);
      if (this.name === null || this.returnType.wraps === null) p.add(' ');
    }
    this.name?.print(p);
  }

  override printRight(p: Printer): void {
    p.add('(');
    printList(p, this.params);
    p.add(')');
    this.returnType?.printRight(p);
    p.add(this.qualifiers);
    p.add(this.refQualifier);
  }

  override get wraps(): 'function' | null {
    return this.name === null ? 'function' : null;
  }
}

/** `foo() [clone .cold]` */
export class CloneSuffix extends Node {
  constructor(readonly inner: Node, readonly suffix: string) {
    super();
  }

  printLeft(p: Printer): void {
    this.inner.print(p);
    p.add(` [clone ${this.suffix}]`);
  }
}

/**
 * Items separated by `, `; packs expand in place and empty packs vanish.
 * Returns true when the list ends with an empty pack after a printed item.
 */
function printList(p: Printer, items: readonly Node[]): boolean {
  let first = true;
  let droppedPack = false;
  for (const item of items) {
    if (item instanceof ArgPack && item.items.length === 0) {
      droppedPack = !first;
      continue;
    }
    if (!first) p.add(', ');
    item.print(p);
    first = false;
    droppedPack = false;
  }
  return droppedPack;
}

const QUALIFIER_ORDER = ['const', 'volatile', 'restrict'];

/** `K`, `V`, `r` on a type: folded into a function type, merged with the qualifiers already there. */
export function createQualified(inner: Node, qualifiers: string): Node {
  if (qualifiers === '') return inner;
  if (inner instanceof FunctionNode) return inner.withQualifiers(qualifiers);
  if (inner instanceof QualifiedType) {
    const words = new Set([...inner.qualifiers.split(' '), ...qualifiers.split(' ')]);
    words.delete('');
    const ordered = [
      ...QUALIFIER_ORDER.filter((word) => words.has(word)),
      ...[...words].filter((word) => !QUALIFIER_ORDER.includes(word)),
    ];
    return new QualifiedType(inner.inner, ordered.map((word) => ` ${word}`).join(''));
  }
  return new QualifiedType(inner, qualifiers);
}

/** A pointer or reference; references to references collapse (`T&` `&&` → `T&`). */
export function createPointer(pointee: Node, sigil: string): Node {
  const isReference = sigil === '&' || sigil === '&&';
  if (isReference && pointee instanceof PointerType && (pointee.sigil === '&' || pointee.sigil === '&&')) {
    return new PointerType(pointee.pointee, sigil === '&&' && pointee.sigil === '&&' ? '&&' : '&');
  }
  return new PointerType(pointee, sigil);
}

/** `Dp <pattern>`: the pattern once per item of the pack it names, e.g. `Ts&&...` → `int&&, char&&`. */
export function expandPack(pattern: Node): Node {
  const pack = findPack(pattern);
  if (pack === null) return pattern;
  return new ArgPack(pack.items.map((item) => replacePack(pattern, pack, item)));
}

function findPack(node: Node): ArgPack | null {
  if (node instanceof ArgPack) return node;
  if (node instanceof PointerType) return findPack(node.pointee);
  if (node instanceof QualifiedType) return findPack(node.inner);
  if (node instanceof ArrayType) return findPack(node.element);
  if (node instanceof PointerToMember) return findPack(node.classType) ?? findPack(node.member);
  if (node instanceof TemplateName) {
    for (const arg of node.args) {
      const pack = findPack(arg);
      if (pack !== null) return pack;
    }
  }
  if (node instanceof FunctionNode && node.name === null) {
    for (const part of [node.returnType, ...node.params]) {
      const pack = part === null ? null : findPack(part);
      if (pack !== null) return pack;
    }
  }
  return null;
}

function replacePack(node: Node, pack: ArgPack, item: Node): Node {
  if (node === pack) return item;
  if (node instanceof PointerType) return createPointer(replacePack(node.pointee, pack, item), node.sigil);
  if (node instanceof QualifiedType) {
    return createQualified(replacePack(node.inner, pack, item), node.qualifiers);
  }
  if (node instanceof ArrayType) return new ArrayType(replacePack(node.element, pack, item), node.dimension);
  if (node instanceof PointerToMember) {
    return new PointerToMember(replacePack(node.classType, pack, item), replacePack(node.member, pack, item));
  }
  if (node instanceof TemplateName) {
    return new TemplateName(node.name, node.args.map((arg) => replacePack(arg, pack, item)));
  }
  if (node instanceof FunctionNode && node.name === null) {
    return new FunctionNode(
      node.returnType === null ? null : replacePack(node.returnType, pack, item),
      node.params.map((param) => replacePack(param, pack, item)),
      node.qualifiers,
      node.refQualifier,
    );
  }
  return node;
}
