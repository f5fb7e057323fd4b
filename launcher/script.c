#include "script.h"

#include <string.h>

#include "fs.h"
#include "strbuf.h"

#define EOCD_SIZE 22
#define CD_ENTRY_SIZE 46
#define CD_READ_MAX 8192 /* larger central directories skip the __main__.py check */

static unsigned long long get_le(const unsigned char *p, int n) {
    unsigned long long v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static unsigned long long get_be(const unsigned char *p, int n) {
    unsigned long long v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

long long payload_elf_image_end(const unsigned char *head, size_t len) {
    if (len < 52 || memcmp(head, "\177ELF", 4) != 0)
        return 0;
    bool is64 = head[4] == 2;
    bool little = head[5] == 1;
    if ((head[4] != 1 && !is64) || (head[5] != 1 && head[5] != 2) || (is64 && len < 64))
        return 0;
    unsigned long long (*get)(const unsigned char *, int) = little ? get_le : get_be;
    /* offsets of e_phoff, e_shoff (4 or 8 bytes), e_phentsize, e_phnum,
     * e_shentsize, e_shnum (2 bytes) in the 32- and 64-bit headers */
    static const unsigned char at[2][6] = {{28, 32, 42, 44, 46, 48}, {32, 40, 54, 56, 58, 60}};
    const unsigned char *o = at[is64];
    int word = is64 ? 8 : 4;
    unsigned long long phoff = get(head + o[0], word), shoff = get(head + o[1], word);
    unsigned long long phentsize = get(head + o[2], 2), phnum = get(head + o[3], 2);
    unsigned long long shentsize = get(head + o[4], 2), shnum = get(head + o[5], 2);
    /* Linkers put the section header table last; without one (sstrip) the
     * end is unknown and only a zip signature can tell. */
    if (shoff == 0 || shnum == 0)
        return 0;
    unsigned long long end = shoff + shentsize * shnum;
    unsigned long long ph_end = phoff + phentsize * phnum;
    if (ph_end > end)
        end = ph_end;
    return end > (1ULL << 62) ? 0 : (long long)end;
}

long payload_find_eocd(const unsigned char *win, size_t win_len) {
    if (win_len >= EOCD_SIZE && memcmp(win + win_len - EOCD_SIZE, "PK\5\6", 4) == 0)
        return (long)(win_len - EOCD_SIZE);
    for (size_t i = win_len; i >= 4; i--) /* the last one: a comment may hold another */
        if (memcmp(win + i - 4, "PK\5\6", 4) == 0)
            return (long)(i - 4);
    return -1;
}

payload_status payload_classify_at(long long size, long long image_end, long long eocd_at,
                                   const unsigned char *eocd, size_t eocd_len, zip_end *end,
                                   const char **why) {
    bool has_extra = image_end > 0 && size > image_end;
    if (eocd_at < 0 || eocd_len < EOCD_SIZE || memcmp(eocd, "PK\5\6", 4) != 0 ||
        eocd_at < image_end) {
        *why = "its end is not a zip archive (truncated or overwritten)";
        return has_extra ? PAYLOAD_CORRUPT : PAYLOAD_NONE;
    }
    end->entries = (unsigned)get_le(eocd + 10, 2);
    end->cd_size = (long long)get_le(eocd + 12, 4);
    long long cd_offset = (long long)get_le(eocd + 16, 4);
    long long comment_len = (long long)get_le(eocd + 20, 2);
    end->cd_start = eocd_at - end->cd_size;
    end->arc_offset = end->cd_start - cd_offset;
    if (get_le(eocd + 4, 2) != 0 || get_le(eocd + 6, 2) != 0 ||
        get_le(eocd + 8, 2) != end->entries) {
        *why = "its zip archive spans several disks";
        return PAYLOAD_CORRUPT;
    }
    if (comment_len != size - eocd_at - EOCD_SIZE) {
        *why = "its zip archive's comment does not reach the end of the file";
        return PAYLOAD_CORRUPT;
    }
    if (end->entries == 0 || end->cd_size < CD_ENTRY_SIZE || end->cd_start < image_end ||
        end->arc_offset < 0) {
        *why = "its zip archive's directory is inconsistent";
        return PAYLOAD_CORRUPT;
    }
    return PAYLOAD_ZIP;
}

payload_status payload_classify(long long size, long long image_end, const unsigned char *tail,
                                size_t tail_len, zip_end *end, const char **why) {
    if (tail_len != EOCD_SIZE) /* shorter than an end record: never a zip */
        return payload_classify_at(size, image_end, -1, tail, 0, end, why);
    return payload_classify_at(size, image_end, size - EOCD_SIZE, tail, tail_len, end, why);
}

bool payload_find_main(const unsigned char *cd, size_t cd_len, unsigned entries,
                       unsigned long *lh_offset, const char **why) {
    static const char main_name[] = "__main__.py";
    size_t pos = 0;
    bool found = false;
    for (unsigned i = 0; i < entries; i++) {
        if (pos + CD_ENTRY_SIZE > cd_len || memcmp(cd + pos, "PK\1\2", 4) != 0) {
            *why = "its zip archive's directory is damaged";
            return false;
        }
        size_t name_len = (size_t)get_le(cd + pos + 28, 2);
        size_t skip = CD_ENTRY_SIZE + name_len + (size_t)get_le(cd + pos + 30, 2) +
                      (size_t)get_le(cd + pos + 32, 2);
        if (pos + skip > cd_len) {
            *why = "its zip archive's directory is damaged";
            return false;
        }
        if (!found && name_len == sizeof main_name - 1 &&
            memcmp(cd + pos + CD_ENTRY_SIZE, main_name, name_len) == 0) {
            found = true;
            *lh_offset = (unsigned long)get_le(cd + pos + 42, 4);
        }
        pos += skip;
    }
    if (!found)
        *why = "its zip archive has no __main__.py";
    return found;
}

payload_status payload_inspect(payload_read_fn read_at, void *ctx, long long size,
                               const char **why) {
    unsigned char head[64];
    long got = read_at(ctx, head, sizeof head, 0);
    long long image_end = payload_elf_image_end(head, got > 0 ? (size_t)got : 0);
    if (image_end > 0 && size <= image_end)
        return PAYLOAD_NONE; /* nothing after the image */
    /* Most archives end in their end record; a comment pushes it back by up to
     * 64 KiB, searched only when the last 22 bytes are not it, and only after
     * the image (whose code holds the signature bytes). */
    static unsigned char win[ZIP_EOCD_WINDOW];
    long long from = size >= EOCD_SIZE ? size - EOCD_SIZE : 0;
    got = read_at(ctx, win, (size_t)(size - from), from);
    long at = got == size - from ? payload_find_eocd(win, (size_t)got) : -1;
    if (at < 0 || at != got - EOCD_SIZE) {
        long long lowest = image_end > size - ZIP_EOCD_WINDOW ? image_end : size - ZIP_EOCD_WINDOW;
        from = lowest > 0 ? lowest : 0;
        got = read_at(ctx, win, (size_t)(size - from), from);
        at = got == size - from ? payload_find_eocd(win, (size_t)got) : -1;
    }
    zip_end end;
    size_t eocd_len = at < 0 ? 0 : (size_t)got - (size_t)at;
    payload_status st = payload_classify_at(size, image_end, at < 0 ? -1 : from + at,
                                            at < 0 ? win : win + at, eocd_len, &end, why);
    if (st == PAYLOAD_CORRUPT && image_end == 0 && at != got - EOCD_SIZE)
        return PAYLOAD_NONE; /* image end unknown: a signature in its code proves nothing */
    if (st != PAYLOAD_ZIP || end.cd_size > CD_READ_MAX)
        return st; /* larger central directories skip the __main__.py check */
    static unsigned char cd[CD_READ_MAX];
    unsigned long lh = 0;
    unsigned char sig[4];
    if (read_at(ctx, cd, (size_t)end.cd_size, end.cd_start) != end.cd_size ||
        !payload_find_main(cd, (size_t)end.cd_size, end.entries, &lh, why))
        return PAYLOAD_CORRUPT;
    if (read_at(ctx, sig, 4, end.arc_offset + (long long)lh) != 4 ||
        memcmp(sig, "PK\3\4", 4) != 0) {
        *why = "its __main__.py entry does not point at file data";
        return PAYLOAD_CORRUPT;
    }
    return PAYLOAD_ZIP;
}

static long read_file_at(void *ctx, void *buf, size_t n, long long offset) {
    return fs_file_read_at(ctx, buf, n, offset);
}

static payload_status inspect(const char *path, const char **why) {
    fs_file file;
    int error;
    if (!fs_file_open(path, &file, &error))
        return PAYLOAD_NONE; /* exec or python will report a file that cannot be read */
    payload_status st = payload_inspect(read_file_at, &file, file.size, why);
    fs_file_close(&file);
    return st;
}

int script_prepare(vs_location *loc, char *script, vs_error *err) {
    script[0] = '\0';
    const char *why = "";
    payload_status st = inspect(loc->venv_exe, &why);
    if (st == PAYLOAD_NONE)
        return 0;
    if (st == PAYLOAD_CORRUPT)
        return diag_fail(
            err, EXIT_BAD_SCRIPT, loc->venv_exe, " is a venvshim script launcher, but ", why,
            "\nreinstall the package that provides it, or run 'venvshim relocate' on the "
            "virtual environment after restoring a text script",
            NULL);
    sb_copy(script, VS_PATH_MAX, loc->venv_exe);
    diag_trace("script launcher: ", script, " carries a zip archive", NULL);
    /* The interpreter's argv[0] must be the venv's python: Python takes
     * sys.executable from it and the venv from sys.executable. */
    static char bin[VS_PATH_MAX];
    sb_copy(bin, sizeof bin, loc->venv_exe);
    path_dirname(bin);
    static const char *const names[] = {"python", "python3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (path_join(loc->venv_exe, sizeof loc->venv_exe, bin, names[i]) &&
            fs_stat(loc->venv_exe).kind == FS_FILE)
            return 0;
    }
    return diag_fail(err, EXIT_NO_BASE, "script launcher ", script, ": no python or python3 in ",
                     bin, " to run it with",
                     "\nrestore the venv's interpreters: venvshim install <venv>", NULL);
}
