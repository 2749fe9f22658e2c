/* The C API from C: load the fixtures, list their macros, expand a derive, an
 * attribute and a function-like macro on wire-format input, and check the
 * failures (non-wasm, no decls, panic, fuel, unknown macro, bad input,
 * unbounded recursion on a thread of a small stack).
 * Usage: wasmacro_capi_test FIXTURES_DIR */
#define _POSIX_C_SOURCE 200809L
#include "wasmacro.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static uint8_t* read_file(const char* dir, const char* name, size_t* len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE* f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t* data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) exit(2);
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* A tiny wire-format writer: enough to build inputs by hand. */
typedef struct {
    uint8_t data[4096];
    size_t len;
} wire;

static void put_u8(wire* w, uint8_t v) {
    w->data[w->len++] = v;
}
static void put_u32(wire* w, uint32_t v) {
    for (int i = 0; i < 4; ++i) put_u8(w, (uint8_t)(v >> (8 * i)));
}
static void put_text(wire* w, const char* s) {
    size_t n = strlen(s);
    put_u32(w, (uint32_t)n);
    memcpy(w->data + w->len, s, n);
    w->len += n;
}
static void ident(wire* w, const char* name, uint32_t span) {
    put_u8(w, 2);
    put_u32(w, span);
    put_text(w, name);
}
static void punct(wire* w, char c, uint32_t span) {
    put_u8(w, 3);
    put_u32(w, (uint32_t)(unsigned char)c);
    put_u8(w, 0);
    put_u32(w, span);
}
static void literal(wire* w, const char* text, uint32_t span) {
    put_u8(w, 4);
    put_u32(w, span);
    put_u8(w, 0);
    put_text(w, text);
}
static void open_group(wire* w, uint8_t delimiter, uint32_t span) {
    put_u8(w, 1);
    put_u8(w, delimiter);
    put_u32(w, span);
}
static void end(wire* w) {
    put_u8(w, 0);
}

/* Reads the output back as text (idents, puncts and literals separated by
 * spaces, groups as their delimiters) and collects the span handles seen. */
typedef struct {
    char text[65536];
    size_t len;
    int saw_span[16];
    int ok;
} reader;

static void emit(reader* r, const char* s, size_t n) {
    if (r->len + n + 2 >= sizeof r->text) return;
    memcpy(r->text + r->len, s, n);
    r->len += n;
    r->text[r->len++] = ' ';
    r->text[r->len] = '\0';
}

static uint32_t get_u32(const uint8_t* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t read_stream(reader* r, const uint8_t* p, size_t len, size_t pos) {
    static const char* open[] = {"(", "{", "[", ""};
    static const char* close[] = {")", "}", "]", ""};
    while (pos < len) {
        uint8_t tag = p[pos++];
        if (tag == 0) return pos;
        if (tag == 1) {
            uint8_t d = p[pos++];
            uint32_t span = get_u32(p + pos);
            pos += 4;
            if (span < 16) r->saw_span[span] = 1;
            emit(r, open[d & 3], strlen(open[d & 3]));
            pos = read_stream(r, p, len, pos);
            emit(r, close[d & 3], strlen(close[d & 3]));
        } else if (tag == 2 || tag == 4) {
            uint32_t span = get_u32(p + pos);
            pos += 4;
            if (span < 16) r->saw_span[span] = 1;
            if (tag == 4) pos += 1; /* text form */
            uint32_t n = get_u32(p + pos);
            pos += 4;
            emit(r, (const char*)p + pos, n);
            pos += n;
        } else if (tag == 3) {
            char c = (char)get_u32(p + pos);
            pos += 5;
            uint32_t span = get_u32(p + pos);
            pos += 4;
            if (span < 16) r->saw_span[span] = 1;
            emit(r, &c, 1);
        } else {
            r->ok = 0;
            return len;
        }
    }
    r->ok = 0;
    return len;
}

static void decode(reader* r, const wasmacro_buffer* b) {
    memset(r, 0, sizeof *r);
    r->ok = 1;
    size_t end_pos = read_stream(r, b->data, b->len, 0);
    if (end_pos != b->len) r->ok = 0;
}

static uint32_t read_leb(const uint8_t* p, size_t* pos) {
    uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t b = p[(*pos)++];
        v |= (uint32_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) break;
    }
    return v;
}

/* A copy of a module without its decls section: what plain watt modules are. */
static uint8_t* strip_decls(const uint8_t* wasm, size_t len, size_t* out_len) {
    static const char name[] = ".rustc_proc_macro_decls";
    uint8_t* out = malloc(len);
    memcpy(out, wasm, 8);
    size_t n = 8, pos = 8;
    while (pos < len) {
        size_t start = pos;
        uint8_t id = wasm[pos++];
        uint32_t size = read_leb(wasm, &pos);
        size_t end = pos + size;
        int drop = 0;
        if (id == 0) {
            size_t p = pos;
            uint32_t name_len = read_leb(wasm, &p);
            drop = name_len == sizeof name - 1 && memcmp(wasm + p, name, name_len) == 0;
        }
        if (!drop) {
            memcpy(out + n, wasm + start, end - start);
            n += end - start;
        }
        pos = end;
    }
    *out_len = n;
    return out;
}

/* What a thread of a small stack does: load the hostile and the demo
 * fixtures under the default limits, expand unbounded_recursion, then Demo. */
typedef struct {
    const char* dir;
    wasmacro_status recursion;
    char recursion_message[512];
    int demo_worked;
} small_stack_run;

static void* expand_on_small_stack(void* arg) {
    small_stack_run* run = arg;
    wasmacro_limits limits;
    wasmacro_limits_default(&limits);
    wasmacro_engine* engine = wasmacro_engine_new(&limits);
    wasmacro_module *hostile = NULL, *demo = NULL;
    size_t len;
    uint8_t* bytes = read_file(run->dir, "hostile.wasm", &len);
    CHECK(wasmacro_module_load(engine, bytes, len, "hostile", 0, &hostile, NULL) == WASMACRO_OK);
    free(bytes);
    bytes = read_file(run->dir, "demo.wasm", &len);
    CHECK(wasmacro_module_load(engine, bytes, len, "demo", 0, &demo, NULL) == WASMACRO_OK);
    free(bytes);
    wasmacro_buffer out = {NULL, 0};
    char* message = NULL;
    if (hostile && demo) {
        wire empty = {{0}, 0};
        end(&empty);
        run->recursion = wasmacro_expand(hostile, "unbounded_recursion", empty.data, empty.len,
                                         NULL, 0, &out, &message);
        snprintf(run->recursion_message, sizeof run->recursion_message, "%s",
                 message ? message : "(null)");
        wasmacro_message_free(message);
        wire in = {{0}, 0};
        ident(&in, "struct", 0);
        ident(&in, "S", 1);
        punct(&in, ';', 2);
        end(&in);
        if (wasmacro_expand(demo, "Demo", in.data, in.len, NULL, 0, &out, NULL) == WASMACRO_OK) {
            static reader r; /* 64 KiB: not on the small stack */
            decode(&r, &out);
            run->demo_worked = r.ok && strstr(r.text, "My name is S.") != NULL;
            wasmacro_buffer_free(&out);
        }
    }
    wasmacro_module_free(hostile);
    wasmacro_module_free(demo);
    wasmacro_engine_free(engine);
    return NULL;
}

/* A regression: compiled code's stack limit lay a fixed 256 KiB below the
 * stack's top, past the end of a thread that had no more (musl's default is
 * 128 KiB), and unbounded recursion crashed the host. It must trap, and the
 * thread go on expanding. */
static void recursion_on_small_stacks(const char* dir) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMACRO_CAPI_TEST_ASAN 1
#endif
#endif
#ifdef WASMACRO_CAPI_TEST_ASAN
    /* AddressSanitizer's frames need more: still less than compiled code
     * runs on without a thread of the engine's own. */
    const size_t stacks[] = {512 << 10, 768 << 10};
#else
    const size_t stacks[] = {128 << 10, 256 << 10};
#endif
    for (size_t i = 0; i < sizeof stacks / sizeof stacks[0]; ++i) {
        small_stack_run run = {dir, WASMACRO_OK, "", 0};
        pthread_attr_t attr;
        pthread_t thread;
        CHECK(pthread_attr_init(&attr) == 0);
        CHECK(pthread_attr_setstacksize(&attr, stacks[i]) == 0);
        CHECK(pthread_create(&thread, &attr, expand_on_small_stack, &run) == 0);
        CHECK(pthread_join(thread, NULL) == 0);
        pthread_attr_destroy(&attr);
        CHECK(run.recursion == WASMACRO_ERROR_TRAP);
        CHECK(strstr(run.recursion_message, "call stack exhausted") != NULL);
        CHECK(run.demo_worked);
        printf("unbounded_recursion! on a %zu KiB thread: %s\n", stacks[i] >> 10,
               run.recursion_message);
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
        return 2;
    }
    const char* dir = argv[1];
    char* message = NULL;
    wasmacro_buffer out = {NULL, 0};
    reader r;

    wasmacro_limits limits;
    wasmacro_limits_default(&limits);
    CHECK(limits.fuel > 0 && limits.max_memory_pages > 0 && limits.max_call_depth > 0);
    limits.fuel = 20000000; /* keeps the looping macro short */
    wasmacro_engine* engine = wasmacro_engine_new(&limits);
    CHECK(engine != NULL);

    /* Not wasm: a load error with a message, and no module. */
    {
        const uint8_t junk[] = "not wasm at all";
        wasmacro_module* m = (wasmacro_module*)1;
        wasmacro_status s =
            wasmacro_module_load(engine, junk, sizeof junk, "junk", 0, &m, &message);
        CHECK(s == WASMACRO_ERROR_LOAD);
        CHECK(m == NULL);
        CHECK(message != NULL && strlen(message) > 0);
        printf("non-wasm: %s: %s\n", wasmacro_status_name(s), message ? message : "(null)");
        wasmacro_message_free(message);
        message = NULL;
    }

    /* The demo derive. */
    size_t len;
    uint8_t* bytes = read_file(dir, "demo.wasm", &len);
    wasmacro_module* demo = NULL;
    CHECK(wasmacro_module_load(engine, bytes, len, "demo", 0, &demo, &message) == WASMACRO_OK);
    free(bytes);
    if (!demo) {
        fprintf(stderr, "load failed: %s\n", message ? message : "?");
        return 1;
    }
    CHECK(wasmacro_module_macro_count(demo) == 1);
    CHECK(wasmacro_module_edition(demo) == 2021);
    wasmacro_macro_info info;
    CHECK(wasmacro_module_macro(demo, 0, &info) == WASMACRO_OK);
    CHECK(info.kind == WASMACRO_DERIVE);
    CHECK(strcmp(info.name, "Demo") == 0);
    CHECK(strcmp(info.export_name, "derive_demo") == 0);
    CHECK(info.helper_count == 0);
    CHECK(wasmacro_module_macro(demo, 1, &info) == WASMACRO_ERROR_ARGUMENT);

    wire in = {{0}, 0};
    ident(&in, "struct", 0);
    ident(&in, "S", 1);
    punct(&in, ';', 2);
    end(&in);
    CHECK(wasmacro_expand(demo, "Demo", in.data, in.len, NULL, 0, &out, &message) == WASMACRO_OK);
    decode(&r, &out);
    CHECK(r.ok);
    CHECK(strstr(r.text, "impl S {") != NULL);
    CHECK(strstr(r.text, "\"Hello from WASM! My name is S.\"") != NULL);
    CHECK(r.saw_span[1]); /* the name kept the caller's span */
    printf("derive(Demo): %s\n", r.text);
    wasmacro_buffer_free(&out);
    CHECK(out.data == NULL && out.len == 0);

    /* Unknown macro, malformed input. */
    CHECK(wasmacro_expand(demo, "Nope", in.data, in.len, NULL, 0, &out, &message) ==
          WASMACRO_ERROR_NO_SUCH_MACRO);
    CHECK(message != NULL);
    wasmacro_message_free(message);
    message = NULL;
    {
        const uint8_t bad[] = {9, 0};
        wasmacro_status s = wasmacro_expand(demo, "Demo", bad, sizeof bad, NULL, 0, &out, &message);
        CHECK(s == WASMACRO_ERROR_INPUT);
        printf("bad input: %s: %s\n", wasmacro_status_name(s), message ? message : "(null)");
        wasmacro_message_free(message);
        message = NULL;
    }
    /* NULL arguments are refused, not crashed on. */
    CHECK(wasmacro_expand(NULL, "Demo", in.data, in.len, NULL, 0, &out, NULL) ==
          WASMACRO_ERROR_ARGUMENT);
    CHECK(wasmacro_expand(demo, NULL, in.data, in.len, NULL, 0, &out, NULL) ==
          WASMACRO_ERROR_ARGUMENT);
    wasmacro_module_free(demo);

    /* An attribute and a function-like macro. */
    bytes = read_file(dir, "example_macros.wasm", &len);
    wasmacro_module* ex = NULL;
    CHECK(wasmacro_module_load(engine, bytes, len, "example_macros", 0, &ex, &message) ==
          WASMACRO_OK);
    free(bytes);
    if (ex) {
        CHECK(wasmacro_module_macro_count(ex) == 2);
        wire args = {{0}, 0};
        literal(&args, "\"label\"", 0);
        end(&args);
        wire item = {{0}, 0};
        ident(&item, "fn", 1);
        ident(&item, "f", 2);
        open_group(&item, 0, 3);
        end(&item);
        open_group(&item, 1, 4);
        end(&item);
        end(&item);
        CHECK(wasmacro_expand(ex, "trace", item.data, item.len, args.data, args.len, &out,
                              &message) == WASMACRO_OK);
        decode(&r, &out);
        CHECK(r.ok);
        CHECK(strstr(r.text, "label") != NULL);
        printf("#[trace(\"label\")]: %.200s...\n", r.text);
        wasmacro_buffer_free(&out);

        wire bang = {{0}, 0};
        ident(&bang, "enum", 0);
        ident(&bang, "Color", 1);
        open_group(&bang, 1, 2);
        ident(&bang, "Red", 3);
        punct(&bang, ',', 4);
        ident(&bang, "Green", 5);
        end(&bang);
        end(&bang);
        CHECK(wasmacro_expand(ex, "enum_str", bang.data, bang.len, NULL, 0, &out, &message) ==
              WASMACRO_OK);
        decode(&r, &out);
        CHECK(r.ok);
        CHECK(strstr(r.text, "\"Green\"") != NULL);
        CHECK(r.saw_span[5]);
        wasmacro_buffer_free(&out);
        wasmacro_module_free(ex);
    }

    /* Failures inside the macro. */
    bytes = read_file(dir, "hostile.wasm", &len);
    wasmacro_module* hostile = NULL;
    CHECK(wasmacro_module_load(engine, bytes, len, "hostile", 0, &hostile, &message) ==
          WASMACRO_OK);
    free(bytes);
    if (hostile) {
        wasmacro_status s =
            wasmacro_expand(hostile, "Panic", in.data, in.len, NULL, 0, &out, &message);
        CHECK(s == WASMACRO_ERROR_PANIC);
        CHECK(message != NULL && strstr(message, "panicked on purpose") != NULL);
        printf("derive(Panic): %s: %s\n", wasmacro_status_name(s), message ? message : "(null)");
        wasmacro_message_free(message);
        message = NULL;
        wire empty = {{0}, 0};
        end(&empty);
        s = wasmacro_expand(hostile, "infinite_loop", empty.data, empty.len, NULL, 0, &out,
                            &message);
        CHECK(s == WASMACRO_ERROR_TRAP);
        CHECK(message != NULL && strstr(message, "fuel") != NULL);
        /* The limit comes as data: the host words its own advice. */
        CHECK(message != NULL && strstr(message, "--fuel") == NULL);
        printf("infinite_loop!: %s: %s\n", wasmacro_status_name(s), message ? message : "(null)");
        wasmacro_message_free(message);
        message = NULL;
        wasmacro_error_info error;
        CHECK(wasmacro_module_last_error(hostile, &error) == WASMACRO_OK);
        CHECK(error.trap == WASMACRO_TRAP_FUEL_EXHAUSTED);
        CHECK(error.limit == WASMACRO_LIMIT_FUEL);
        CHECK(error.limit_value == 20000000);
        CHECK(wasmacro_module_last_error(NULL, &error) == WASMACRO_ERROR_ARGUMENT);
        /* Still usable after a trap; a panic is no trap. */
        s = wasmacro_expand(hostile, "Panic", in.data, in.len, NULL, 0, &out, NULL);
        CHECK(s == WASMACRO_ERROR_PANIC);
        CHECK(wasmacro_module_last_error(hostile, &error) == WASMACRO_OK);
        CHECK(error.trap == WASMACRO_TRAP_NONE && error.limit == WASMACRO_LIMIT_NONE);
        /* An export that is not there is no such macro, not a load error. */
        s = wasmacro_expand_export(hostile, WASMACRO_BANG, "no_such_export", empty.data, empty.len,
                                   NULL, 0, &out, &message);
        CHECK(s == WASMACRO_ERROR_NO_SUCH_MACRO);
        CHECK(message != NULL && strstr(message, "no_such_export") != NULL);
        wasmacro_message_free(message);
        message = NULL;
        wasmacro_module_free(hostile);
    }

    /* Tables over the store's budget: refused at load, and the engine goes on. */
    bytes = read_file(dir, "many_tables.wasm", &len);
    wasmacro_module* tables = (wasmacro_module*)1;
    CHECK(wasmacro_module_load(engine, bytes, len, "many_tables", 0, &tables, &message) ==
          WASMACRO_ERROR_LOAD);
    free(bytes);
    CHECK(tables == NULL);
    CHECK(message != NULL && strstr(message, "30 tables") != NULL);
    printf("many_tables: %s\n", message ? message : "(null)");
    wasmacro_message_free(message);
    message = NULL;

    /* A module built for plain watt (no decls): only by export name. */
    uint8_t* with_decls = read_file(dir, "demo.wasm", &len);
    bytes = strip_decls(with_decls, len, &len);
    free(with_decls);
    wasmacro_module* plain = NULL;
    CHECK(wasmacro_module_load(engine, bytes, len, "plain", 0, &plain, &message) ==
          WASMACRO_ERROR_DECLS);
    CHECK(message != NULL && strstr(message, "annotate") != NULL);
    printf("no decls: %s\n", message ? message : "(null)");
    wasmacro_message_free(message);
    message = NULL;
    CHECK(wasmacro_module_load(engine, bytes, len, "plain", WASMACRO_LOAD_ALLOW_NO_DECLS, &plain,
                               &message) == WASMACRO_OK);
    free(bytes);
    if (plain) {
        CHECK(wasmacro_module_macro_count(plain) == 0);
        CHECK(wasmacro_expand_export(plain, WASMACRO_DERIVE, "derive_demo", in.data, in.len, NULL,
                                     0, &out, &message) == WASMACRO_OK);
        decode(&r, &out);
        CHECK(strstr(r.text, "My name is S.") != NULL);
        wasmacro_buffer_free(&out);
        wasmacro_module_free(plain);
    }

    wasmacro_engine_free(engine);
    recursion_on_small_stacks(dir);
    wasmacro_module_free(NULL);
    wasmacro_engine_free(NULL);
    wasmacro_buffer_free(NULL);
    wasmacro_message_free(NULL);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("capi: all checks passed\n");
    return 0;
}
