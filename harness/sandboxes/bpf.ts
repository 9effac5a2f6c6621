/**
 * Classic BPF, the language of seccomp filters (linux/filter.h, linux/seccomp.h): just the few
 * instructions a syscall filter needs, and their encoding as the kernel's `struct sock_filter`
 * (u16 code, u8 jt, u8 jf, u32 k; little-endian on the hosts the filter is built for).
 */

/** One instruction. A jump's jt and jf count the instructions to skip after it (0 = the next one). */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS: A = u32 at offset k of seccomp_data
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const BPF_RET_K = 0x06; // BPF_RET | BPF_K
const INSTRUCTION_BYTES = 8;
/** The kernel's limit on a filter's length (BPF_MAXINSNS). */
const MAX_INSTRUCTIONS = 4096;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;

/** seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  /** The low 32 bits of argument i (the kernel reads int and unsigned int arguments from these). */
  argLow: (i: number) => 16 + 8 * i,
} as const;

export const load = (offset: number): BpfInstruction => ({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset });
export const jumpIfEqual = (k: number, jt: number, jf: number): BpfInstruction => ({ code: BPF_JEQ_K, jt, jf, k });
/** Jumps jt when A & k is not zero. */
export const jumpIfAnyBit = (k: number, jt: number, jf: number): BpfInstruction => ({ code: BPF_JSET_K, jt, jf, k });
export const ret = (k: number): BpfInstruction => ({ code: BPF_RET_K, jt: 0, jf: 0, k });
export const errno = (value: number): number => SECCOMP_RET_ERRNO | (value & 0xffff);

/**
 * The program as the bytes bwrap's --seccomp reads. Refuses a program the kernel would refuse (too
 * long, a jump past the end, not ending in a return) so that a mistake shows here, not as a sandbox
 * that does not start.
 */
export function encodeProgram(program: readonly BpfInstruction[]): Buffer {
  if (program.length === 0 || program.length > MAX_INSTRUCTIONS) throw new Error(`a BPF program has 1 to ${MAX_INSTRUCTIONS} instructions, not ${program.length}`);
  if (program.at(-1)!.code !== BPF_RET_K) throw new Error('a BPF program must end with a return');
  const bytes = Buffer.alloc(program.length * INSTRUCTION_BYTES);
  program.forEach((insn, at) => {
    const isJump = insn.code === BPF_JEQ_K || insn.code === BPF_JSET_K;
    for (const skip of isJump ? [insn.jt, insn.jf] : []) {
      if (!Number.isInteger(skip) || skip < 0 || skip > 255 || at + 1 + skip >= program.length) throw new Error(`BPF instruction ${at} jumps out of the program (${skip})`);
    }
    const offset = at * INSTRUCTION_BYTES;
    bytes.writeUInt16LE(insn.code, offset);
    bytes.writeUInt8(insn.jt, offset + 2);
    bytes.writeUInt8(insn.jf, offset + 3);
    bytes.writeUInt32LE(insn.k >>> 0, offset + 4);
  });
  return bytes;
}
