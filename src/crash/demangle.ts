// Demangles Itanium C++ ABI names (`_Z…`) for display, in c++filt's style.
// Over 300 lines: one recursive-descent grammar, clearer kept together. Pure;
// never throws: a name it cannot read is returned unchanged.

import {
  AbiTagged, ArgPack, ArrayType, CloneSuffix, createPointer, createQualified, DemangleFailure, expandPack,
  FunctionNode, LambdaName, LocalName, NameNode, NestedName, type Node, PointerToMember, Printer,
  SpecialName, TemplateName,
} from './demangle-nodes.ts';

const MAX_NAME_LENGTH = 4096;
const MAX_DEPTH = 256;
// crashprobe prints `<symbol>()` (wire-protocol §16.1); c++filt cannot read the `()`
const CALL_SUFFIX = '()';
// GCC clone suffixes: `.isra.0`, `.cold`, `.constprop.1`
const CLONE_SUFFIX = /^\.[A-Za-z_]+(?:\.[0-9]+)*|^\.[0-9]+/;

/** The readable form of an Itanium mangled name; any other text is returned unchanged. */
export function demangle(name: string): string {
  const symbol = name.endsWith(CALL_SUFFIX) ? name.slice(0, -CALL_SUFFIX.length) : name;
  if (!symbol.startsWith('_Z') || symbol.length > MAX_NAME_LENGTH) return name;
  try {
    const node = new Parser(symbol).parseMangledName();
    const printer = new Printer();
    node.print(printer);
    return printer.text;
  } catch (error) {
    // DemangleFailure: not a name we can read; RangeError: a tree nested too deep to print
    // on the stack (substitutions can nest deeper than the parser's own depth limit).
    // Anything else is a bug in this file and must surface.
    if (error instanceof DemangleFailure || error instanceof RangeError) return name;
    throw error;
  }
}

function fail(): never {
  throw new DemangleFailure();
}

const BUILTIN_TYPES: Readonly<Record<string, string>> = {
  v: 'void', w: 'wchar_t', b: 'bool', c: 'char', a: 'signed char', h: 'unsigned char',
  s: 'short', t: 'unsigned short', i: 'int', j: 'unsigned int', l: 'long', m: 'unsigned long',
  x: 'long long', y: 'unsigned long long', n: '__int128', o: 'unsigned __int128', f: 'float',
  d: 'double', e: 'long double', g: '__float128', z: '...',
};
const BUILTIN_D_TYPES: Readonly<Record<string, string>> = {
  d: 'decimal64', e: 'decimal128', f: 'decimal32', h: 'half', i: 'char32_t', s: 'char16_t',
  u: 'char8_t', a: 'auto', c: 'decltype(auto)', n: 'decltype(nullptr)',
};
const OPERATORS: Readonly<Record<string, string>> = {
  nw: 'new', na: 'new[]', dl: 'delete', da: 'delete[]', ps: '+', ng: '-', ad: '&', de: '*',
  co: '~', pl: '+', mi: '-', ml: '*', dv: '/', rm: '%', an: '&', or: '|', eo: '^', aS: '=',
  pL: '+=', mI: '-=', mL: '*=', dV: '/=', rM: '%=', aN: '&=', oR: '|=', eO: '^=', ls: '<<',
  rs: '>>', lS: '<<=', rS: '>>=', eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=',
  ss: '<=>', nt: '!', aa: '&&', oo: '||', pp: '++', mm: '--', cm: ',', pm: '->*', pt: '->',
  cl: '()', ix: '[]', qu: '?', aw: ' co_await',
};
const CHAR_TRAITS = 'std::char_traits<char>';
// c++filt writes these abbreviations out in full
const SPECIAL_SUBSTITUTIONS: Readonly<Record<string, NameNode>> = {
  a: new NameNode('std::allocator', 'allocator'),
  b: new NameNode('std::basic_string', 'basic_string'),
  s: new NameNode(`std::basic_string<char, ${CHAR_TRAITS}, std::allocator<char> >`, 'basic_string'),
  i: new NameNode(`std::basic_istream<char, ${CHAR_TRAITS} >`, 'basic_istream'),
  o: new NameNode(`std::basic_ostream<char, ${CHAR_TRAITS} >`, 'basic_ostream'),
  d: new NameNode(`std::basic_iostream<char, ${CHAR_TRAITS} >`, 'basic_iostream'),
};
const INTEGER_LITERAL_SUFFIXES: Readonly<Record<string, string>> = {
  i: '', j: 'u', l: 'l', m: 'ul', x: 'll', y: 'ull',
};
const VOID = new NameNode('void');

/** What parseName learnt beyond the name itself. */
interface ParsedName {
  node: Node;
  /** Ends with template arguments: a function then mangles its return type. */
  isTemplate: boolean;
  /** Constructor, destructor or conversion operator: never a return type. */
  isCtorDtorConversion: boolean;
  qualifiers: string;
  refQualifier: string;
}

class Parser {
  readonly #text: string;
  #pos = 0;
  #depth = 0;
  readonly #substitutions: Node[] = [];
  #templateParams: Node[] = [];
  #inLambdaSignature = false;

  constructor(text: string) {
    this.#text = text;
  }

  parseMangledName(): Node {
    this.#expect('_Z');
    let node = this.#parseEncoding();
    while (this.#peek() === '.') {
      const suffix = CLONE_SUFFIX.exec(this.#text.slice(this.#pos));
      if (suffix === null) fail();
      node = new CloneSuffix(node, suffix[0]);
      this.#pos += suffix[0].length;
    }
    if (this.#pos !== this.#text.length) fail();
    return node;
  }

  #peek(offset = 0): string {
    return this.#text[this.#pos + offset] ?? '';
  }

  #eat(prefix: string): boolean {
    if (!this.#text.startsWith(prefix, this.#pos)) return false;
    this.#pos += prefix.length;
    return true;
  }

  #expect(prefix: string): void {
    if (!this.#eat(prefix)) fail();
  }

  #enter(): void {
    this.#depth += 1;
    if (this.#depth > MAX_DEPTH) fail();
  }

  #parseEncoding(): Node {
    this.#enter();
    try {
      if (this.#peek() === 'T' || this.#peek() === 'G') return this.#parseSpecialName();
      const name = this.#parseName(true);
      // data objects, and the enclosing function of a local name, have no parameters
      if (this.#pos >= this.#text.length || this.#peek() === 'E' || this.#peek() === '.') return name.node;
      const returnType = name.isTemplate && !name.isCtorDtorConversion ? this.#parseType() : null;
      const params: Node[] = [];
      while (this.#pos < this.#text.length && this.#peek() !== 'E' && this.#peek() !== '.') {
        params.push(this.#parseType());
      }
      return new FunctionNode(returnType, withoutVoid(params), name.qualifiers, name.refQualifier, name.node);
    } finally {
      this.#depth -= 1;
    }
  }

  #parseSpecialName(): Node {
    if (this.#eat('TV')) return new SpecialName('vtable for ', this.#parseType());
    if (this.#eat('TT')) return new SpecialName('VTT for ', this.#parseType());
    if (this.#eat('TI')) return new SpecialName('typeinfo for ', this.#parseType());
    if (this.#eat('TS')) return new SpecialName('typeinfo name for ', this.#parseType());
    if (this.#eat('TW')) return new SpecialName('TLS wrapper function for ', this.#parseName(false).node);
    if (this.#eat('TH')) return new SpecialName('TLS init function for ', this.#parseName(false).node);
    if (this.#eat('GV')) return new SpecialName('guard variable for ', this.#parseName(false).node);
    if (this.#eat('GTt')) return new SpecialName('transaction clone for ', this.#parseEncoding());
    if (this.#eat('GTn')) return new SpecialName('non-transaction clone for ', this.#parseEncoding());
    if (this.#eat('Tc')) {
      this.#parseCallOffset();
      this.#parseCallOffset();
      return new SpecialName('covariant return thunk to ', this.#parseEncoding());
    }
    if (this.#eat('TC')) {
      const derived = this.#parseType();
      this.#parseNumber();
      this.#expect('_');
      return new SpecialName('construction vtable for ', this.#parseType(), derived, '-in-');
    }
    if (this.#eat('T')) {
      const kind = this.#peek();
      this.#parseCallOffset();
      const prefix = kind === 'h' ? 'non-virtual thunk to ' : 'virtual thunk to ';
      return new SpecialName(prefix, this.#parseEncoding());
    }
    return fail();
  }

  #parseCallOffset(): void {
    if (this.#eat('h')) {
      this.#parseNumber();
      this.#expect('_');
    } else if (this.#eat('v')) {
      this.#parseNumber();
      this.#expect('_');
      this.#parseNumber();
      this.#expect('_');
    } else {
      fail();
    }
  }

  #parseName(tagTemplates: boolean): ParsedName {
    this.#enter();
    try {
      if (this.#peek() === 'N') return this.#parseNestedName(tagTemplates);
      if (this.#peek() === 'Z') return this.#parseLocalName(tagTemplates);
      let node: Node;
      if (this.#peek() === 'S' && this.#peek(1) !== 't') {
        node = this.#parseSubstitution(); // only a template name may be substituted here
        if (this.#peek() !== 'I') fail();
      } else {
        const std = this.#eat('St');
        this.#eat('L');
        const name = this.#parseUnqualifiedName(null);
        node = std ? new NestedName(new NameNode('std'), name) : name;
        if (this.#peek() !== 'I') return simpleName(node);
        this.#substitutions.push(node);
      }
      const args = this.#parseTemplateArgs(tagTemplates);
      return { ...simpleName(new TemplateName(node, args)), isTemplate: true };
    } finally {
      this.#depth -= 1;
    }
  }

  #parseNestedName(tagTemplates: boolean): ParsedName {
    this.#expect('N');
    const qualifiers = this.#parseCvQualifiers();
    const refQualifier = this.#eat('R') ? ' &' : this.#eat('O') ? ' &&' : '';
    let soFar: Node | null = null;
    let isTemplate = false;
    let isCtorDtorConversion = false;
    let lastPushed = false;
    while (!this.#eat('E')) {
      this.#eat('L'); // internal linkage marker of GCC
      if (this.#peek() === 'S') {
        if (soFar !== null) fail();
        // `St` is no substitution candidate; substitutions are not added again
        soFar = this.#eat('St') ? new NameNode('std') : this.#parseSubstitution();
        lastPushed = false;
        continue;
      }
      if (this.#peek() === 'I') {
        if (soFar === null) fail();
        soFar = new TemplateName(soFar, this.#parseTemplateArgs(tagTemplates));
        isTemplate = true;
      } else if (this.#peek() === 'T') {
        if (soFar !== null) fail();
        soFar = this.#parseTemplateParam();
        isTemplate = false;
      } else {
        const isStructor = this.#peek() === 'C' || (this.#peek() === 'D' && /[0-5]/.test(this.#peek(1)));
        if (isStructor && soFar === null) fail();
        const name = this.#parseUnqualifiedName(soFar);
        isCtorDtorConversion = isStructor || isConversion(name);
        soFar = soFar === null ? name : new NestedName(soFar, name);
        isTemplate = false;
      }
      this.#substitutions.push(soFar);
      lastPushed = true;
    }
    if (soFar === null) fail();
    // the whole name is a candidate only as a type, which #parseType adds itself
    if (lastPushed) this.#substitutions.pop();
    return { node: soFar, isTemplate, isCtorDtorConversion, qualifiers, refQualifier };
  }

  #parseLocalName(tagTemplates: boolean): ParsedName {
    this.#expect('Z');
    const outerParams = this.#templateParams;
    const encoding = this.#parseEncoding();
    // inside a type, the enclosing function's template arguments are not ours
    if (!tagTemplates) this.#templateParams = outerParams;
    this.#expect('E');
    if (this.#eat('s')) {
      this.#parseDiscriminator();
      return simpleName(new LocalName(encoding, new NameNode('string literal')));
    }
    if (this.#eat('d')) {
      if (this.#peek() !== '_') this.#parseNumber();
      this.#expect('_');
    }
    const entity = this.#parseName(tagTemplates);
    this.#parseDiscriminator();
    return { ...entity, node: new LocalName(encoding, entity.node) };
  }

  #parseDiscriminator(): void {
    if (this.#peek() !== '_') return;
    if (/[0-9]/.test(this.#peek(1))) {
      this.#pos += 2;
    } else if (this.#peek(1) === '_') {
      this.#pos += 2;
      this.#parseNumber();
      this.#expect('_');
    }
  }

  /** An unqualified name; `scope` is the enclosing name that a constructor or destructor repeats. */
  #parseUnqualifiedName(scope: Node | null): Node {
    const c = this.#peek();
    let name: Node;
    if (/[0-9]/.test(c)) {
      name = this.#parseSourceName();
    } else if (c === 'C' || c === 'D') {
      name = this.#parseStructorName(scope);
    } else if (c === 'U') {
      name = this.#parseUnnamedName();
    } else if (/[a-z]/.test(c)) {
      name = this.#parseOperatorName();
    } else {
      return fail();
    }
    while (this.#eat('B')) name = new AbiTagged(name, this.#parseIdentifierOnly());
    return name;
  }

  #parseStructorName(scope: Node | null): Node {
    if (scope === null) fail();
    const base = baseNameOf(scope);
    if (this.#eat('CI1') || this.#eat('CI2')) {
      this.#parseType(); // the base class of an inheriting constructor
      return new NameNode(base);
    }
    if (this.#peek() === 'C' && /[1-5]/.test(this.#peek(1))) {
      this.#pos += 2;
      return new NameNode(base);
    }
    if (this.#peek() === 'D' && /[0-5]/.test(this.#peek(1))) {
      this.#pos += 2;
      return new NameNode(`~${base}`);
    }
    return fail();
  }

  #parseUnnamedName(): Node {
    if (this.#eat('Ut')) {
      return new NameNode(`{unnamed type#${this.#parseClosureNumber()}}`);
    }
    this.#expect('Ul');
    const outer = this.#inLambdaSignature;
    this.#inLambdaSignature = true;
    const params: Node[] = [];
    try {
      while (!this.#eat('E')) params.push(this.#parseType());
    } finally {
      this.#inLambdaSignature = outer;
    }
    return new LambdaName(withoutVoid(params), this.#parseClosureNumber());
  }

  /** `_` → 1, `<n>_` → n + 2. */
  #parseClosureNumber(): number {
    if (this.#eat('_')) return 1;
    const n = this.#parseNumber();
    this.#expect('_');
    return n + 2;
  }

  #parseOperatorName(): Node {
    if (this.#eat('cv')) return new NameNode(`operator ${printNode(this.#parseType())}`);
    if (this.#eat('li')) return new NameNode(`operator"" ${this.#parseIdentifierOnly()}`);
    if (this.#peek() === 'v' && /[0-9]/.test(this.#peek(1))) {
      this.#pos += 2;
      return new NameNode(`operator ${this.#parseIdentifierOnly()}`);
    }
    const symbol = OPERATORS[this.#text.slice(this.#pos, this.#pos + 2)];
    if (symbol === undefined) fail();
    this.#pos += 2;
    return new NameNode(/^[a-z ]/.test(symbol) ? `operator ${symbol.trim()}` : `operator${symbol}`);
  }

  #parseSourceName(): Node {
    const identifier = this.#parseIdentifierOnly();
    // GCC's name of an anonymous namespace: _GLOBAL__N_1
    if (/^_GLOBAL_[._$]N/.test(identifier)) return new NameNode('(anonymous namespace)');
    return new NameNode(identifier);
  }

  #parseIdentifierOnly(): string {
    const length = this.#parseNumber();
    if (length <= 0 || this.#pos + length > this.#text.length) fail();
    const identifier = this.#text.slice(this.#pos, this.#pos + length);
    this.#pos += length;
    return identifier;
  }

  #parseNumber(): number {
    const negative = this.#eat('n');
    const start = this.#pos;
    while (/[0-9]/.test(this.#peek())) this.#pos += 1;
    if (this.#pos === start || this.#pos - start > 9) fail();
    const value = Number(this.#text.slice(start, this.#pos));
    return negative ? -value : value;
  }

  #parseCvQualifiers(): string {
    const restrict = this.#eat('r');
    const volatile = this.#eat('V');
    const constant = this.#eat('K');
    return (constant ? ' const' : '') + (volatile ? ' volatile' : '') + (restrict ? ' restrict' : '');
  }

  #parseSubstitution(): Node {
    this.#expect('S');
    const special = SPECIAL_SUBSTITUTIONS[this.#peek()];
    if (special !== undefined) {
      this.#pos += 1;
      return special;
    }
    let index = 0;
    if (!this.#eat('_')) {
      const start = this.#pos;
      while (/[0-9A-Z]/.test(this.#peek())) this.#pos += 1;
      if (this.#pos === start || this.#pos - start > 6) fail();
      index = parseInt(this.#text.slice(start, this.#pos), 36) + 1;
      this.#expect('_');
    }
    return this.#substitutions[index] ?? fail();
  }

  #parseTemplateParam(): Node {
    this.#expect('T');
    const index = this.#eat('_') ? 0 : this.#parseNumber() + 1;
    if (index > 0) this.#expect('_');
    const param = this.#templateParams[index];
    if (param !== undefined) return param;
    // generic lambdas refer to their own, unnamed, parameters
    if (this.#inLambdaSignature) return new NameNode(`auto:${index + 1}`);
    return fail();
  }

  #parseTemplateArgs(tagTemplates: boolean): Node[] {
    this.#expect('I');
    const args: Node[] = [];
    if (tagTemplates) this.#templateParams = args;
    while (!this.#eat('E')) args.push(this.#parseTemplateArg());
    // a local name inside the arguments may have tagged its own in the meantime
    if (tagTemplates) this.#templateParams = args;
    return args;
  }

  #parseTemplateArg(): Node {
    if (this.#eat('J')) {
      const items: Node[] = [];
      while (!this.#eat('E')) items.push(this.#parseTemplateArg());
      return new ArgPack(items);
    }
    if (this.#peek() === 'L') return this.#parseLiteral();
    if (this.#peek() === 'X') fail(); // expressions are not supported
    return this.#parseType();
  }

  #parseLiteral(): Node {
    this.#expect('L');
    if (this.#eat('_Z')) {
      const encoding = this.#parseEncoding();
      this.#expect('E');
      return encoding;
    }
    if (this.#eat('DnE')) return new NameNode('decltype(nullptr)');
    const type = this.#peek();
    if (BUILTIN_TYPES[type] === undefined) return this.#parseTypedLiteral();
    this.#pos += 1;
    const negative = this.#eat('n');
    const start = this.#pos;
    while (/[0-9a-f]/.test(this.#peek())) this.#pos += 1;
    const digits = this.#text.slice(start, this.#pos);
    this.#expect('E');
    if (digits === '') fail();
    const value = (negative ? '-' : '') + digits;
    if (type === 'b' && (digits === '0' || digits === '1')) {
      return new NameNode(digits === '1' ? 'true' : 'false');
    }
    const suffix = INTEGER_LITERAL_SUFFIXES[type];
    if (suffix !== undefined) return new NameNode(value + suffix);
    return new NameNode(`(${BUILTIN_TYPES[type] ?? ''})${value}`);
  }

  /** `L <type> <number> E` for a non-builtin type (an enum): `(ns::Kind)1`. */
  #parseTypedLiteral(): Node {
    const type = printNode(this.#parseType());
    const negative = this.#eat('n');
    const start = this.#pos;
    while (/[0-9]/.test(this.#peek())) this.#pos += 1;
    if (this.#pos === start) fail();
    const digits = this.#text.slice(start, this.#pos);
    this.#expect('E');
    return new NameNode(`(${type})${negative ? '-' : ''}${digits}`);
  }

  #parseType(): Node {
    this.#enter();
    try {
      return this.#parseTypeInner();
    } finally {
      this.#depth -= 1;
    }
  }

  #parseTypeInner(): Node {
    const c = this.#peek();
    const builtin = BUILTIN_TYPES[c];
    if (builtin !== undefined) {
      this.#pos += 1;
      return c === 'v' ? VOID : new NameNode(builtin);
    }
    let node: Node;
    switch (c) {
      case 'r': case 'V': case 'K': {
        const qualifiers = this.#parseCvQualifiers();
        const inner = this.#parseType();
        node = createQualified(inner, qualifiers);
        break;
      }
      case 'U': {
        this.#pos += 1;
        const vendor = this.#parseIdentifierOnly();
        node = createQualified(this.#parseType(), ` ${vendor}`);
        break;
      }
      case 'u':
        this.#pos += 1;
        node = this.#parseSourceName();
        break;
      case 'D':
        return this.#parseDType();
      case 'F':
        node = this.#parseFunctionType();
        break;
      case 'A':
        node = this.#parseArrayType();
        break;
      case 'M': {
        this.#pos += 1;
        const classType = this.#parseType();
        node = new PointerToMember(classType, this.#parseType());
        break;
      }
      case 'T':
        node = this.#parseTemplateParam();
        if (this.#peek() === 'I') {
          this.#substitutions.push(node);
          node = new TemplateName(node, this.#parseTemplateArgs(false));
        }
        break;
      case 'P': case 'R': case 'O': case 'C': case 'G': {
        this.#pos += 1;
        const sigils: Record<string, string> = { P: '*', R: '&', O: '&&', C: ' _Complex', G: ' _Imaginary' };
        node = createPointer(this.#parseType(), sigils[c] ?? '');
        break;
      }
      case 'S':
        if (this.#peek(1) !== 't') {
          const substitution = this.#parseSubstitution();
          if (this.#peek() !== 'I') return substitution;
          node = new TemplateName(substitution, this.#parseTemplateArgs(false));
          break;
        }
        node = this.#parseName(false).node;
        break;
      default:
        if (c !== 'N' && c !== 'Z' && !/[0-9]/.test(c)) fail();
        node = this.#parseName(false).node;
    }
    this.#substitutions.push(node);
    return node;
  }

  #parseDType(): Node {
    const c = this.#peek(1);
    const builtin = BUILTIN_D_TYPES[c];
    if (builtin !== undefined) {
      this.#pos += 2;
      return new NameNode(builtin);
    }
    if (this.#eat('DF')) {
      const bits = this.#parseNumber();
      this.#expect('_');
      return new NameNode(`_Float${bits}`);
    }
    if (this.#eat('Dp')) {
      const expansion = expandPack(this.#parseType());
      this.#substitutions.push(expansion);
      return expansion;
    }
    return fail(); // decltype, vectors and others are not supported
  }

  #parseFunctionType(): Node {
    this.#expect('F');
    this.#eat('Y'); // extern "C"
    const returnType = this.#parseType();
    const params: Node[] = [];
    let refQualifier = '';
    for (;;) {
      if (this.#eat('E')) break;
      if (this.#eat('RE')) {
        refQualifier = ' &';
        break;
      }
      if (this.#eat('OE')) {
        refQualifier = ' &&';
        break;
      }
      params.push(this.#parseType());
    }
    return new FunctionNode(returnType, withoutVoid(params), '', refQualifier);
  }

  #parseArrayType(): Node {
    this.#expect('A');
    let dimension = '';
    if (/[0-9]/.test(this.#peek())) dimension = String(this.#parseNumber());
    this.#expect('_');
    return new ArrayType(this.#parseType(), dimension);
  }
}

function simpleName(node: Node): ParsedName {
  const isCtorDtorConversion = isConversion(node);
  return { node, isTemplate: false, isCtorDtorConversion, qualifiers: '', refQualifier: '' };
}

function isConversion(node: Node): boolean {
  return (
    node instanceof NameNode &&
    node.text.startsWith('operator ') &&
    !/^operator (new|delete|co_await|"")/.test(node.text)
  );
}

/** A lone `void` parameter means no parameters. */
function withoutVoid(params: Node[]): Node[] {
  return params.length === 1 && params[0] === VOID ? [] : params;
}

/** The name a constructor or destructor repeats: `vector` for `std::vector<int>`. */
function baseNameOf(node: Node): string {
  if (node instanceof NameNode) return node.baseName;
  if (node instanceof NestedName) return baseNameOf(node.name);
  if (node instanceof TemplateName) return baseNameOf(node.name);
  if (node instanceof AbiTagged) return baseNameOf(node.name);
  if (node instanceof LocalName) return baseNameOf(node.entity);
  return fail();
}

function printNode(node: Node): string {
  const printer = new Printer();
  node.print(printer);
  return printer.text;
}
