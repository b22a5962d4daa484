// avx2cpu: makes a process (and the threads and children it starts) see a CPU without AVX-512,
// so that a benchmark can time every framework's AVX2 code path on an AVX-512 machine.
//
// Loaded with LD_PRELOAD. Its constructor turns on CPUID faulting (arch_prctl(ARCH_SET_CPUID, 0),
// Linux >= 4.12 on CPUs or hypervisors that support it): every CPUID instruction then traps with
// SIGSEGV, and the handler runs the real CPUID with faulting briefly off and clears the AVX-512
// (and AMX) feature bits of leaf 7 before it returns. XNNPACK's and ONNX Runtime's cpuinfo,
// OpenBLAS's DYNAMIC_ARCH and TensorKit's own dispatch all read CPUID, so all of them pick their
// AVX2 + FMA kernels, as on an Intel consumer chip since 2021 or an AMD chip before Zen 4.
// A SIGSEGV that is not a CPUID goes to the handler that was there before (or the default one).
// Build: gcc -O2 -shared -fPIC -o avx2cpu.so avx2cpu.c
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static struct sigaction previous;

static void cpuid_masked(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) {
  syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(subleaf));
  syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
  if (leaf == 7 && subleaf == 0) {
    // EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31.
    r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
    // ECX: VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14.
    r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
    // EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX-BF16 22, AVX512_FP16 23, AMX-TILE 24, AMX-INT8 25.
    r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
  } else if (leaf == 7 && subleaf == 1) {
    r[0] &= ~(1u << 5);  // AVX512_BF16 (AVX-VNNI, bit 4, is an AVX2-level feature and stays).
  }
}

static void on_segv(int signal, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  uint8_t *pc = (uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
  if (pc[0] == 0x0f && pc[1] == 0xa2) {
    uint32_t r[4];
    cpuid_masked((uint32_t)uc->uc_mcontext.gregs[REG_RAX], (uint32_t)uc->uc_mcontext.gregs[REG_RCX], r);
    uc->uc_mcontext.gregs[REG_RAX] = r[0];
    uc->uc_mcontext.gregs[REG_RBX] = r[1];
    uc->uc_mcontext.gregs[REG_RCX] = r[2];
    uc->uc_mcontext.gregs[REG_RDX] = r[3];
    uc->uc_mcontext.gregs[REG_RIP] += 2;
    return;
  }
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(signal, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signal);
  } else {
    struct sigaction reset = {0};
    reset.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &reset, NULL);
    raise(SIGSEGV);
  }
}

__attribute__((constructor)) static void avx2cpu_start(void) {
  struct sigaction action = {0};
  action.sa_sigaction = on_segv;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &previous);
  if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) {
    fprintf(stderr, "avx2cpu: this CPU or kernel does not support CPUID faulting; AVX-512 stays visible\n");
    exit(3);
  }
}
