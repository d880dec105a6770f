import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { demangle } from '../../src/crash/demangle.ts';

// Expected texts are GNU c++filt 2.40 output for the same names.
const CASES: ReadonlyArray<readonly [string, string]> = [
  ['_Z3foov', 'foo()'],
  ['_Z1fPKc', 'f(char const*)'],
  ['_Z1fPVKi', 'f(int const volatile*)'],
  ['_Z1fPrKi', 'f(int const restrict*)'],
  ['_ZN3foo3barEv', 'foo::bar()'],
  ['_ZNK1A1fEv', 'A::f() const'],
  ['_ZNVK1A1fEv', 'A::f() const volatile'],
  ['_ZNR1A1fEv', 'A::f() &'],
  ['_ZNKO1A1fEv', 'A::f() const &&'],
  ['_ZN12_GLOBAL__N_13fooEv', '(anonymous namespace)::foo()'],
  ['_ZNSt6vectorIiSaIiEE9push_backERKi', 'std::vector<int, std::allocator<int> >::push_back(int const&)'],
  ['_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC2EPKcRKS3_',
    'std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string(char const*, std::allocator<char> const&)'],
  ['_ZNSsC1Ev', 'std::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string()'],
  ['_ZNSoC1Ev', 'std::basic_ostream<char, std::char_traits<char> >::basic_ostream()'],
  ['_Z1fSs', 'f(std::basic_string<char, std::char_traits<char>, std::allocator<char> >)'],
  ['_ZN1AD0Ev', 'A::~A()'],
  ['_ZN1AcviEv', 'A::operator int()'],
  ['_ZN1AplERKS_', 'A::operator+(A const&)'],
  ['_ZN1AltIiEEvT_', 'void A::operator< <int>(int)'],
  ['_ZN1AlsIiEEvT_', 'void A::operator<< <int>(int)'],
  ['_Z3FooIidEvi', 'void Foo<int, double>(int)'],
  ['_Z1fIiEvT_', 'void f<int>(int)'],
  ['_Z3maxIiET_S0_S0_', 'int max<int>(int, int)'],
  ['_Z1fIiEvPFT_vE', 'void f<int>(int (*)())'],
  ['_Z1fILb1EEvv', 'void f<true>()'],
  ['_Z1fILj5EEvv', 'void f<5u>()'],
  ['_Z1fILin5EEvv', 'void f<-5>()'],
  ['_Z1fILc97EEvv', 'void f<(char)97>()'],
  ['_Z1fIJEEvv', 'void f<>()'],
  ['_Z1fIJidEEvv', 'void f<int, double>()'],
  ['_Z1fPFviE', 'f(void (*)(int))'],
  ['_Z1fM1AFviE', 'f(void (A::*)(int))'],
  ['_Z1fM1AKFivE', 'f(int (A::*)() const)'],
  ['_Z1fPKFivE', 'f(int (*)() const)'],
  ['_Z1fRKM1AFivE', 'f(int (A::* const&)())'],
  ['_Z1fA3_i', 'f(int [3])'],
  ['_Z1fRA3_i', 'f(int (&) [3])'],
  ['_Z1fPA3_A4_i', 'f(int (*) [3][4])'],
  ['_Z1fDn', 'f(decltype(nullptr))'],
  ['_Z1fCd', 'f(double _Complex)'],
  ['_Z1fn', 'f(__int128)'],
  ['_Z1fDF16_', 'f(_Float16)'],
  ['_Z1fu3fooi', 'f(foo, int)'],
  ['_Z1fU8__vectori', 'f(int __vector)'],
  ['_ZNKSt8functionIFviEEclEi', 'std::function<void (int)>::operator()(int) const'],
  ['_ZNKSt5ctypeIcE8do_widenEc', 'std::ctype<char>::do_widen(char) const'],
  ['_ZNK3foo3barB5cxx11Ev', 'foo::bar[abi:cxx11]() const'],
  ['_ZZ4mainENKUlvE_clEv', 'main::{lambda()#1}::operator()() const'],
  ['_ZZ3fooiE3bar', 'foo(int)::bar'],
  ['_ZZN1A1fEvE1x_0', 'A::f()::x'],
  ['_ZN3fooUt_E', 'foo::{unnamed type#1}'],
  ['_ZN3fooUt0_E', 'foo::{unnamed type#2}'],
  ['_ZSt4cout', 'std::cout'],
  ['_ZTVN3foo3BarE', 'vtable for foo::Bar'],
  ['_ZTIN1AE', 'typeinfo for A'],
  ['_ZTSN1AE', 'typeinfo name for A'],
  ['_ZThn8_N1A1fEv', 'non-virtual thunk to A::f()'],
  ['_ZTv0_n24_N1A1fEv', 'virtual thunk to A::f()'],
  ['_ZTCN1A1BE0_N1C1DE', 'construction vtable for C::D-in-A::B'],
  ['_ZGVZ4mainE1x', 'guard variable for main::x'],
  ['_ZTWN1A1xE', 'TLS wrapper function for A::x'],
  ['_ZN3foo3barEv.cold', 'foo::bar() [clone .cold]'],
  ['_ZN3foo3barEv.isra.0.cold', 'foo::bar() [clone .isra.0] [clone .cold]'],
  ['_ZN4llvm10AccelTableINS_20DWARF5AccelTableDataEE7addNameIJRKNS_3DIEEEEEvNS_23DwarfStringPoolEntryRefEDpOT_',
    'void llvm::AccelTable<llvm::DWARF5AccelTableData>::addName<llvm::DIE const&>(llvm::DwarfStringPoolEntryRef, llvm::DIE const&)'],
  ['_ZN4llvm11PassManagerINS_6ModuleENS_15AnalysisManagerIS1_JEEEJEE10isRequiredEv',
    'llvm::PassManager<llvm::Module, llvm::AnalysisManager<llvm::Module>>::isRequired()'],
];

describe('demangle', () => {
  test('writes names as c++filt does', () => {
    for (const [mangled, expected] of CASES) assert.equal(demangle(mangled), expected, mangled);
  });

  test('demangles the `<symbol>()` form of crashprobe frames', () => {
    assert.equal(demangle('_ZN3foo3barEv()'), 'foo::bar()');
    assert.equal(demangle('_ZL9do_thingsv()'), 'do_things()');
  });

  test('returns names that are not mangled unchanged', () => {
    for (const name of ['main()', 'parse_item()', '???', '(no symbols)', '? kmem_cache_alloc', '', '_Z', '_start()']) {
      assert.equal(demangle(name), name);
    }
  });

  test('returns a name it cannot read unchanged', () => {
    for (const name of ['_Zx', '_ZN3fooE3ba', '_Z3fo', '_Z1fS_', '_Z1fT_', '_ZN3foo3barEv.', '_Z3foov junk']) {
      assert.equal(demangle(name), name);
    }
  });

  test('names a generic lambda parameter auto:1 where c++filt resolves it later', () => {
    // c++filt: `auto foo()::{lambda(auto:1)#1}::operator()<int>(int) const`; template
    // parameters are resolved when read, so a substitution keeps the lambda's meaning.
    assert.equal(
      demangle('_ZZ3foovENKUlT_E_clIiEEDaS_'),
      'auto foo()::{lambda(auto:1)#1}::operator()<int>(auto:1) const',
    );
  });

  test('returns names with expressions unchanged', () => {
    const name = '_ZN4llvm10checkedAddIiEENSt9enable_ifIXsr3std9is_signedIT_EE5valueENS_8OptionalIS2_EEE4typeES2_S2_';
    assert.equal(demangle(name), name);
  });

  test('returns a name unchanged when its expansion is too long', () => {
    let name = '_Z1fPFvvE';
    const ids = ['S_'];
    for (let i = 0; i < 40; i++) {
      const id = ids[ids.length - 1] ?? 'S_';
      name += `PFv${id}${id}E`;
      ids.push(`S${i.toString(36).toUpperCase()}_`);
    }
    assert.ok(demangle(name).length <= 16_384);
  });

  test('returns a deeply nested name unchanged', () => {
    const name = `_Z1f${'P'.repeat(5000)}i`;
    assert.equal(demangle(name), name);
  });

  test('never throws when names are random', () => {
    const piece = fc.constantFrom(
      '_Z', 'N', 'E', 'S_', 'S0_', 'St', 'Sa', 'I', 'J', 'T_', 'T0_', 'L', 'Dp', 'K', 'R', 'O', 'P', 'F', 'A', 'M',
      'C1', 'D0', 'Ul', 'Ut', 'Z', 'v', 'i', 'c', '3foo', '1a', '0', '9', 'cv', 'pl', 'B5cxx11', '.cold', 'X', '_',
    );
    const name = fc.array(piece, { maxLength: 25 }).map((pieces) => `_Z${pieces.join('')}`);
    fc.assert(
      fc.property(fc.oneof(name, fc.string({ unit: 'binary' })), (text) => {
        assert.equal(typeof demangle(text), 'string');
      }),
      { numRuns: 10_000 },
    );
  });
});
