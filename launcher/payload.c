#include "payload.h"

#include <string.h>

#include "contract.h"

#define EOCD_SIZE 22
#define CD_ENTRY_SIZE 46
#define LH_SIZE 30       /* a local file header without its name and extra field */
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

static const char main_name[] = "__main__.py";
#define MAIN_NAME_LEN (sizeof main_name - 1)

bool payload_find_main(const unsigned char *cd, size_t cd_len, unsigned entries,
                       payload_entry *main, const char **why) {
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
        if (!found && name_len == MAIN_NAME_LEN &&
            memcmp(cd + pos + CD_ENTRY_SIZE, main_name, name_len) == 0) {
            found = true;
            main->method = (unsigned)get_le(cd + pos + 10, 2);
            main->csize = get_le(cd + pos + 20, 4);
            main->usize = get_le(cd + pos + 24, 4);
            main->lh_offset = (unsigned long)get_le(cd + pos + 42, 4);
            main->data_at = -1;
            size_t comment_len = (size_t)get_le(cd + pos + 32, 2);
            size_t comment_at = pos + skip - comment_len;
            main->text_mark = comment_len == sizeof PAYLOAD_TEXT_MARK - 1 &&
                              memcmp(cd + comment_at, PAYLOAD_TEXT_MARK, comment_len) == 0;
        }
        pos += skip;
    }
    if (!found)
        *why = "its zip archive has no __main__.py";
    return found;
}

payload_status payload_inspect_main(payload_read_fn read_at, void *ctx, long long size,
                                    payload_entry *main, const char **why) {
    /* every field defined on every return: a large directory returns before
     * __main__.py is looked for */
    memset(main, 0, sizeof *main);
    main->data_at = -1;
    unsigned char head[64];
    long got = read_at(ctx, head, sizeof head, 0);
    long long image_end = payload_elf_image_end(head, got > 0 ? (size_t)got : 0);
    if (image_end > 0 && size <= image_end)
        return PAYLOAD_NONE; /* nothing after the image */
    /* Most archives end in their end record; a comment pushes it back by up to
     * 64 KiB, searched only when the last 22 bytes are not it, and only after
     * the image (whose code holds the signature bytes). */
    static unsigned char win[PAYLOAD_EOCD_WINDOW];
    long long from = size >= EOCD_SIZE ? size - EOCD_SIZE : 0;
    got = read_at(ctx, win, (size_t)(size - from), from);
    long at = got == size - from ? payload_find_eocd(win, (size_t)got) : -1;
    if (at < 0 || at != got - EOCD_SIZE) {
        long long lowest =
            image_end > size - PAYLOAD_EOCD_WINDOW ? image_end : size - PAYLOAD_EOCD_WINDOW;
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
    unsigned char magic[sizeof VS_BASE_TRAILER_MAGIC - 1];
    if (st == PAYLOAD_CORRUPT && image_end > 0 &&
        read_at(ctx, magic, sizeof magic, image_end) == (long)sizeof magic &&
        memcmp(magic, VS_BASE_TRAILER_MAGIC, sizeof magic) == 0)
        return PAYLOAD_NONE; /* install's record of the base (base_trailer.h), not a script */
    if (st != PAYLOAD_ZIP || end.cd_size > CD_READ_MAX)
        return st; /* larger central directories skip the __main__.py check */
    static unsigned char cd[CD_READ_MAX];
    if (read_at(ctx, cd, (size_t)end.cd_size, end.cd_start) != end.cd_size ||
        !payload_find_main(cd, (size_t)end.cd_size, end.entries, main, why))
        return PAYLOAD_CORRUPT;
    /* The local header, read with the name it must hold (one read either
     * way): its own name and extra lengths say where the bytes start
     * (Lib/zipimport.py _get_data reads them the same way, and trusts them
     * and the directory's size and method without a check: a damaged entry
     * would end in a traceback there, so it is refused here). */
    unsigned char lh[LH_SIZE + MAIN_NAME_LEN];
    long long lh_at = end.arc_offset + (long long)main->lh_offset;
    long lh_got = read_at(ctx, lh, sizeof lh, lh_at);
    if (lh_got < LH_SIZE || memcmp(lh, "PK\3\4", 4) != 0) {
        *why = "its __main__.py entry does not point at file data";
        return PAYLOAD_CORRUPT;
    }
    long long data_at =
        lh_at + LH_SIZE + (long long)get_le(lh + 26, 2) + (long long)get_le(lh + 28, 2);
    if (get_le(lh + 26, 2) != MAIN_NAME_LEN || lh_got != (long)sizeof lh ||
        memcmp(lh + LH_SIZE, main_name, MAIN_NAME_LEN) != 0) {
        *why = "its __main__.py entry's local header names another file";
        return PAYLOAD_CORRUPT;
    }
    if ((main->method != 0 && main->method != 8) || get_le(lh + 8, 2) != main->method ||
        (main->method == 0 && main->csize != main->usize)) {
        *why = "its __main__.py entry's method or sizes are inconsistent";
        return PAYLOAD_CORRUPT;
    }
    if (data_at + (long long)main->csize > end.cd_start) {
        *why = "its __main__.py entry's data runs into the archive's directory";
        return PAYLOAD_CORRUPT;
    }
    main->data_at = data_at;
    main->entries = end.entries;
    return PAYLOAD_ZIP;
}

payload_status payload_inspect(payload_read_fn read_at, void *ctx, long long size,
                               const char **why) {
    payload_entry main;
    return payload_inspect_main(read_at, ctx, size, &main, why);
}

/* ---- Windows console-script launchers: the "#!" line before the zip ---- */

static unsigned long le32(const unsigned char *p) {
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
           (unsigned long)p[3] << 24;
}

long long payload_archive_start(const unsigned char *tail, size_t n, long long size) {
    if (n < 22 || (long long)n > size)
        return -1;
    for (long long i = (long long)n - 22; i >= 0; i--) {
        const unsigned char *e = tail + i;
        if (e[0] == 'P' && e[1] == 'K' && e[2] == 5 && e[3] == 6) {
            long long eocd = size - (long long)n + i;
            long long start = eocd - (long long)le32(e + 12) - (long long)le32(e + 16);
            return start >= 0 ? start : -1;
        }
    }
    return -1;
}

size_t payload_shebang_start(const unsigned char *before, size_t n) {
    size_t end = n;
    if (end > 0 && before[end - 1] == '\n')
        end--;
    size_t i = end;
    while (i > 0 && before[i - 1] != '\n' && before[i - 1] != '\0')
        i--;
    while (i + 1 < end && !(before[i] == '#' && before[i + 1] == '!'))
        i++;
    return i + 1 < end ? i : n;
}

long long payload_script_offset(const unsigned char *data, size_t size) {
    size_t n = size < PAYLOAD_TAIL_MAX ? size : PAYLOAD_TAIL_MAX;
    long long start = payload_archive_start(data + size - n, n, (long long)size);
    if (start <= 0)
        return -1;
    size_t before = (size_t)(start < PAYLOAD_SHEBANG_MAX ? start : PAYLOAD_SHEBANG_MAX);
    const unsigned char *from = data + start - before;
    size_t i = payload_shebang_start(from, before);
    return i == before ? -1 : (long long)(from - data) + (long long)i;
}

const char *payload_shebang_args(const char *line, size_t len, size_t *args_len) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '"') {
        for (i++; i < len && line[i] != '"'; i++)
            ;
        if (i < len)
            i++;
    } else {
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
    }
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t end = len;
    while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
        end--;
    *args_len = end - i;
    return line + i;
}

const char *payload_appended_args(const unsigned char *before, size_t n, char *args, size_t cap) {
    size_t i = payload_shebang_start(before, n);
    if (i == n)
        return ": no '#!' line before the appended zip archive";
    size_t end = n;
    if (end > 0 && before[end - 1] == '\n')
        end--;
    size_t alen;
    const char *a = payload_shebang_args((const char *)before + i + 2, end - i - 2, &alen);
    if (alen >= cap)
        return ": the '#!' line is too long";
    memcpy(args, a, alen);
    args[alen] = '\0';
    return NULL;
}

payload_args_status payload_script_args(payload_read_fn read_at, void *ctx, long long size,
                                        char *args, size_t cap, const char **why) {
    /* the file's tail (end record search), then the bytes before the archive */
    static unsigned char buf[PAYLOAD_TAIL_MAX];
    *why = NULL;
    size_t n = (size_t)(size < PAYLOAD_TAIL_MAX ? (size > 0 ? size : 0) : PAYLOAD_TAIL_MAX);
    long long start = -1;
    bool damaged = false;
    if (n >= EOCD_SIZE && read_at(ctx, buf, n, size - (long long)n) == (long)n) {
        start = payload_archive_start(buf, n, size);
        /* an end record whose comment ends the file, but whose archive would
         * start before the file: a cut or corrupt zip, not a missing one */
        for (size_t i = 0; start < 0 && i + EOCD_SIZE <= n; i++)
            if (memcmp(buf + i, "PK\5\6", 4) == 0 &&
                i + EOCD_SIZE + (buf[i + 20] | (size_t)buf[i + 21] << 8) == n)
                damaged = true;
    }
    if (damaged)
        return PAYLOAD_ARGS_DAMAGED;
    size_t before =
        start > 0 ? (size_t)(start < PAYLOAD_SHEBANG_MAX ? start : PAYLOAD_SHEBANG_MAX) : 0;
    if (before == 0 || read_at(ctx, buf, before, start - (long long)before) != (long)before)
        return PAYLOAD_ARGS_NO_SCRIPT;
    if (start > PAYLOAD_SHEBANG_MAX && !memchr(buf, '\n', before - 1)) {
        /* no line break in what was read: the '#!' line is longer than that */
        *why = ": its '#!' line is longer than 4096 bytes";
        return PAYLOAD_ARGS_BAD;
    }
    *why = payload_appended_args(buf, before, args, cap);
    return *why ? PAYLOAD_ARGS_BAD : PAYLOAD_ARGS_OK;
}

long payload_read_memory(void *ctx, void *buf, size_t n, long long offset) {
    const payload_memory *m = ctx;
    if (offset < 0 || (unsigned long long)offset > m->size)
        return -1;
    size_t avail = m->size - (size_t)offset;
    size_t k = n < avail ? n : avail;
    if (k)
        memcpy(buf, m->data + offset, k);
    return (long)k;
}
