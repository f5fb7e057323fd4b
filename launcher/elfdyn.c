#include "elfdyn.h"

#include <stdint.h>
#include <string.h>

/* ELF constants (the System V ABI, gABI "ELF Header", "Program Header",
 * "Dynamic Section"); spelled out so the core needs no <elf.h>. */
enum {
    EI_CLASS = 4,
    EI_DATA = 5,
    CLASS32 = 1,
    CLASS64 = 2,
    DATA_LSB = 1,
    DATA_MSB = 2,
    PT_LOAD = 1,
    PT_DYNAMIC = 2,
    DT_NULL = 0,
    DT_NEEDED = 1,
    DT_STRTAB = 5,
    DT_STRSZ = 10,
    DT_RPATH = 15,
    DT_RUNPATH = 29,
};

typedef struct {
    const unsigned char *buf;
    size_t len;
    bool wide; /* ELFCLASS64 */
} image;

static bool host_is_lsb(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Native-order fields at off, false when they lie outside the buffer. */
static bool rd(const image *im, uint64_t off, size_t size, uint64_t *out) {
    if (off > im->len || size > im->len - off)
        return false;
    if (size == 2) {
        uint16_t v;
        memcpy(&v, im->buf + off, 2);
        *out = v;
    } else if (size == 4) {
        uint32_t v;
        memcpy(&v, im->buf + off, 4);
        *out = v;
    } else {
        uint64_t v;
        memcpy(&v, im->buf + off, 8);
        *out = v;
    }
    return true;
}

/* A word: 4 bytes in ELF32, 8 in ELF64. */
static bool rdw(const image *im, uint64_t off, uint64_t *out) {
    return rd(im, off, im->wide ? 8 : 4, out);
}

typedef struct {
    uint64_t offset, vaddr, filesz;
} segment;

/* The file offset of virtual address addr, through the PT_LOAD that maps it. */
static bool vaddr_to_offset(const segment *loads, int n, uint64_t addr, uint64_t *off) {
    for (int i = 0; i < n; i++)
        if (addr >= loads[i].vaddr && addr - loads[i].vaddr < loads[i].filesz) {
            *off = loads[i].offset + (addr - loads[i].vaddr);
            return true;
        }
    return false;
}

/* Copy the NUL-terminated string at strtab[index] (within strsz) into out. */
static elfdyn_status string_at(const image *im, uint64_t strtab, uint64_t strsz, uint64_t index,
                               char *out, size_t cap) {
    if (index >= strsz)
        return ELFDYN_BAD;
    uint64_t start = strtab + index, end = strtab + strsz; /* strtab + strsz checked below */
    for (uint64_t p = start, n = 0; p < end; p++, n++) {
        if (p >= im->len)
            return ELFDYN_TRUNCATED;
        if (n >= cap)
            return ELFDYN_BAD;
        out[n] = (char)im->buf[p];
        if (!im->buf[p])
            return ELFDYN_OK;
    }
    return ELFDYN_BAD; /* not terminated inside the string table */
}

static bool starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

elfdyn_status elfdyn_parse(const unsigned char *buf, size_t len, elfdyn_info *out) {
    memset(out, 0, sizeof *out);
    image im = {buf, len, false};
    if (len < 16 || memcmp(buf,
                           "\x7f"
                           "ELF",
                           4) != 0)
        return len < 4 && memcmp(buf,
                                 "\x7f"
                                 "ELF",
                                 len) == 0
                   ? ELFDYN_TRUNCATED
                   : ELFDYN_NOT_ELF;
    if (buf[EI_CLASS] != CLASS32 && buf[EI_CLASS] != CLASS64)
        return ELFDYN_UNSUPPORTED;
    if (buf[EI_DATA] != (host_is_lsb() ? DATA_LSB : DATA_MSB))
        return ELFDYN_UNSUPPORTED;
    im.wide = buf[EI_CLASS] == CLASS64;
    /* e_phoff, e_phentsize, e_phnum */
    uint64_t phoff, phentsize, phnum;
    if (!rdw(&im, im.wide ? 32 : 28, &phoff) || !rd(&im, im.wide ? 54 : 42, 2, &phentsize) ||
        !rd(&im, im.wide ? 56 : 44, 2, &phnum))
        return ELFDYN_TRUNCATED;
    if (phentsize != (im.wide ? 56u : 32u) || phnum == 0 || phnum > ELFDYN_MAX_PHDRS)
        return phnum == 0 ? ELFDYN_UNSUPPORTED : ELFDYN_BAD;
    segment loads[ELFDYN_MAX_PHDRS];
    int nloads = 0;
    bool has_dynamic = false;
    uint64_t dyn_off = 0, dyn_size = 0;
    if (phoff > len)
        return ELFDYN_TRUNCATED; /* and phoff + phnum * phentsize cannot overflow */
    for (uint64_t i = 0; i < phnum; i++) {
        uint64_t ph = phoff + i * phentsize, type, offset, vaddr, filesz;
        if (!rd(&im, ph, 4, &type))
            return ELFDYN_TRUNCATED;
        /* ELF64: p_offset 8, p_vaddr 16, p_filesz 32; ELF32: 4, 8, 16 */
        if (!rdw(&im, ph + (im.wide ? 8 : 4), &offset) ||
            !rdw(&im, ph + (im.wide ? 16 : 8), &vaddr) ||
            !rdw(&im, ph + (im.wide ? 32 : 16), &filesz))
            return ELFDYN_TRUNCATED;
        if (offset > UINT64_MAX - filesz)
            return ELFDYN_BAD;
        if (type == PT_LOAD)
            loads[nloads++] = (segment){offset, vaddr, filesz};
        else if (type == PT_DYNAMIC && !has_dynamic) {
            has_dynamic = true;
            dyn_off = offset;
            dyn_size = filesz;
        }
    }
    if (!has_dynamic)
        return ELFDYN_UNSUPPORTED; /* statically linked: nothing to load */
    if (dyn_off > len)
        return ELFDYN_TRUNCATED;
    uint64_t entry = im.wide ? 16 : 8, strtab_addr = 0, strsz = 0;
    uint64_t needed[ELFDYN_MAX_DYN], rpath = 0, runpath = 0;
    int nneeded = 0;
    bool have_strtab = false, have_strsz = false;
    for (uint64_t i = 0; i < ELFDYN_MAX_DYN && i < dyn_size / entry; i++) {
        uint64_t tag, val;
        if (!rdw(&im, dyn_off + i * entry, &tag) ||
            !rdw(&im, dyn_off + i * entry + entry / 2, &val))
            return ELFDYN_TRUNCATED;
        if (tag == DT_NULL)
            break;
        if (tag == DT_NEEDED)
            needed[nneeded++] = val;
        else if (tag == DT_STRTAB)
            strtab_addr = val, have_strtab = true;
        else if (tag == DT_STRSZ)
            strsz = val, have_strsz = true;
        else if (tag == DT_RPATH)
            rpath = val, out->has_rpath = true;
        else if (tag == DT_RUNPATH)
            runpath = val, out->has_runpath = true;
    }
    if (!nneeded && !out->has_rpath && !out->has_runpath)
        return ELFDYN_OK; /* nothing to look up */
    uint64_t strtab;
    if (!have_strtab || !have_strsz || !vaddr_to_offset(loads, nloads, strtab_addr, &strtab) ||
        strtab > UINT64_MAX - strsz)
        return ELFDYN_BAD;
    elfdyn_status st;
    if (out->has_rpath &&
        (st = string_at(&im, strtab, strsz, rpath, out->rpath, sizeof out->rpath)) != ELFDYN_OK)
        return st;
    if (out->has_runpath && (st = string_at(&im, strtab, strsz, runpath, out->runpath,
                                            sizeof out->runpath)) != ELFDYN_OK)
        return st;
    for (int i = 0; i < nneeded; i++) {
        /* a name too long to keep is no libpython, but could be one: refused */
        char name[ELFDYN_NAME_MAX];
        if ((st = string_at(&im, strtab, strsz, needed[i], name, sizeof name)) != ELFDYN_OK)
            return st;
        if (starts_with(name, "libpython") && out->libpython_count++ == 0)
            memcpy(out->libpython, name, sizeof name);
    }
    return ELFDYN_OK;
}

const char *elfdyn_reason(elfdyn_status st) {
    switch (st) {
    case ELFDYN_OK:
        return "an ELF executable";
    case ELFDYN_NOT_ELF:
        return "not an ELF file";
    case ELFDYN_UNSUPPORTED:
        return "not a dynamically linked ELF executable of this machine";
    case ELFDYN_TRUNCATED:
        return "its ELF headers lie beyond the bytes read";
    case ELFDYN_BAD:
        return "its ELF headers are inconsistent";
    }
    return "?";
}
