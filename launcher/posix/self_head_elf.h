/* fs_self_head (fs.h) on ELF systems, for platform_linux.c and
 * platform_bsd.c: GNU ld and lld define __ehdr_start at the running image's
 * ELF header when its first loaded segment starts at file offset 0, as the
 * launchers' do; the loader has mapped that page and read the program headers
 * from it, so reading it costs no system call and no page fault. */
#ifndef VENVSHIM_SELF_HEAD_ELF_H
#define VENVSHIM_SELF_HEAD_ELF_H

#include <elf.h>
#include <stddef.h>
#include <string.h>

/* weak: NULL where the linker does not define it */
extern const unsigned char __ehdr_start[] __attribute__((weak, visibility("hidden")));

static inline const unsigned char *elf_self_head(size_t *len) {
    const unsigned char *h = __ehdr_start;
    if (!h || memcmp(h, ELFMAG, SELFMAG) != 0)
        return NULL;
    /* the header and the program headers, within the first page */
    size_t end;
    if (h[EI_CLASS] == ELFCLASS64) {
        const Elf64_Ehdr *e = (const Elf64_Ehdr *)(const void *)h;
        end = (size_t)e->e_phoff + (size_t)e->e_phnum * e->e_phentsize;
    } else {
        const Elf32_Ehdr *e = (const Elf32_Ehdr *)(const void *)h;
        end = (size_t)e->e_phoff + (size_t)e->e_phnum * e->e_phentsize;
    }
    *len = end < 64 ? 64 : end > 4096 ? 4096 : end;
    return h;
}

#endif
