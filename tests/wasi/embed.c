/* A program built for wasm32-wasip1 that embeds wasmacro through the C API
 * of libwasmacro.a (build/wasi), as a compiler that is itself WebAssembly
 * (rustc.wasm) would: it loads a macro module, expands `Demo` on
 * `struct S;` and prints the output tokens, one space between them.
 * Usage (under a WASI runtime): embed DEMO.wasm */
#include "wasmacro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t* read_file(const char* path, size_t* len) {
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

static uint32_t get_u32(const uint8_t** p) {
    uint32_t v = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 |
                 (uint32_t)(*p)[3] << 24;
    *p += 4;
    return v;
}

/* Prints a guest-to-host wire stream (DESIGN.md) up to its end tag. */
static void print_stream(const uint8_t** p) {
    static const char* open[] = {"(", "{", "[", ""};
    static const char* close[] = {")", "}", "]", ""};
    for (;;) {
        uint8_t tag = *(*p)++;
        if (tag == 0) return;
        if (tag == 1) { /* group: delimiter, span, stream */
            uint8_t delimiter = *(*p)++;
            get_u32(p);
            printf("%s ", open[delimiter & 3]);
            print_stream(p);
            printf("%s ", close[delimiter & 3]);
        } else if (tag == 2 || tag == 4) { /* ident or literal text */
            get_u32(p);
            if (tag == 4 && *(*p)++ != 0) {
                printf("<literal handle %u> ", get_u32(p));
                continue;
            }
            uint32_t n = get_u32(p);
            printf("%.*s ", (int)n, (const char*)*p);
            *p += n;
        } else if (tag == 3) { /* punct: char, spacing, span */
            uint32_t c = get_u32(p);
            uint8_t joint = *(*p)++;
            get_u32(p);
            printf(joint ? "%c" : "%c ", (char)c);
        } else {
            fprintf(stderr, "bad wire tag %u\n", tag);
            exit(3);
        }
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: embed DEMO.wasm\n");
        return 2;
    }
    size_t len;
    uint8_t* wasm = read_file(argv[1], &len);
    wasmacro_engine* engine = wasmacro_engine_new(NULL);
    wasmacro_module* module = NULL;
    char* message = NULL;
    if (wasmacro_module_load(engine, wasm, len, "demo.wasm", 0, &module, &message) != WASMACRO_OK) {
        fprintf(stderr, "load: %s\n", message);
        return 1;
    }
    /* `struct S;` in the wire format: two idents and a punct, call-site spans. */
    static const uint8_t input[] = {2,    0xFF, 0xFF, 0xFF, 0xFF, 6,    0,    0,    0,
                                    's',  't',  'r',  'u',  'c',  't',  2,    0xFF, 0xFF,
                                    0xFF, 0xFF, 1,    0,    0,    0,    'S',  3,    ';',
                                    0,    0,    0,    0,    0xFF, 0xFF, 0xFF, 0xFF, 0};
    wasmacro_buffer output;
    if (wasmacro_expand(module, "Demo", input, sizeof input, NULL, 0, &output, &message) !=
        WASMACRO_OK) {
        fprintf(stderr, "expand: %s\n", message);
        return 1;
    }
    const uint8_t* p = output.data;
    print_stream(&p);
    printf("\n");
    wasmacro_buffer_free(&output);
    wasmacro_module_free(module);
    wasmacro_engine_free(engine);
    free(wasm);
    return 0;
}
