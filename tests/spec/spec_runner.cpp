// Runs one converted spec test script (wast2json's JSON command list plus its
// .wasm files) against the engine and prints exact counts:
//
//   spec_runner [--verbose] DIR/NAME.json
//
// Every command counts: a module that loads, a register, an action and each
// assertion passes, fails or is skipped (text-format modules, SIMD scripts,
// and the few commands listed in known_deviations; --verbose lists them).
// Exits 1 if anything failed.
#include "wasm/engine.hpp"

#include <nlohmann/json.hpp>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace wasmacro;
using namespace wasmacro::wasm;

namespace {

/// Commands whose converted form is not what the script means, so neither
/// result would say anything about the engine, and WebAssembly 2.0's
/// assertions that a proposal the engine implements makes valid.
struct Deviation {
    std::string_view script;
    int line;
    std::string_view reason;
};
constexpr Deviation known_deviations[] = {
    {"select", 324,
     "wast2json encodes `select (result)` (no types) as the untyped select, so the binary no "
     "longer has the invalid result arity the script tests"},
    {"binary", 48, "section id 13 is exception handling's tag section, which the engine reads"},
    {"binary", 1383, "import kind 4 is exception handling's tag, which the engine reads"},
    {"binary", 1393, "import kind 4 is exception handling's tag, which the engine reads"},
};

std::vector<uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A failed expectation; caught per command and counted.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string describe(const json& value) {
    std::string text = value.value("type", "?");
    if (value.contains("value")) text += ":" + value["value"].get<std::string>();
    return text;
}

Value parse_value(const json& j) {
    std::string type = j.at("type");
    std::string text = j.contains("value") ? j["value"].get<std::string>() : "";
    if (type == "i32") return Value::i32(static_cast<uint32_t>(std::stoull(text)));
    if (type == "i64") return Value::i64(std::stoull(text));
    if (type == "f32") return Value::f32_bits(static_cast<uint32_t>(std::stoull(text)));
    if (type == "f64") return Value::f64_bits(std::stoull(text));
    // The engine's externref tokens are nonzero; ref.extern N is token N+1.
    if (type == "externref")
        return text == "null" ? Value::null(ValType::ExternRef)
                              : Value::externref(std::stoull(text) + 1);
    if (type == "funcref" && text == "null") return Value::null(ValType::FuncRef);
    throw Failure("unsupported argument " + describe(j));
}

bool matches(const json& expected, const Value& actual) {
    std::string type = expected.at("type");
    bool has_value = expected.contains("value");
    std::string text = has_value ? expected["value"].get<std::string>() : "";
    if (type == "f32") {
        if (actual.type != ValType::F32) return false;
        uint32_t bits = actual.as_u32();
        if (text == "nan:canonical") return (bits & 0x7FFFFFFF) == 0x7FC00000;
        if (text == "nan:arithmetic") return (bits & 0x7FC00000) == 0x7FC00000;
        return bits == static_cast<uint32_t>(std::stoull(text));
    }
    if (type == "f64") {
        if (actual.type != ValType::F64) return false;
        uint64_t bits = actual.bits;
        if (text == "nan:canonical") return (bits & ~(uint64_t{1} << 63)) == 0x7FF8000000000000;
        if (text == "nan:arithmetic") return (bits & 0x7FF8000000000000) == 0x7FF8000000000000;
        return bits == std::stoull(text);
    }
    if (type == "i32") return actual.type == ValType::I32 && actual.bits == std::stoull(text);
    if (type == "i64") return actual.type == ValType::I64 && actual.bits == std::stoull(text);
    if (type == "externref") {
        if (actual.type != ValType::ExternRef) return false;
        if (!has_value) return actual.bits != 0; // ref.extern with any payload
        if (text == "null") return actual.bits == 0;
        return actual.bits == std::stoull(text) + 1;
    }
    if (type == "funcref") {
        if (actual.type != ValType::FuncRef) return false;
        if (!has_value) return actual.bits != 0; // ref.func: any non-null function
        if (text == "null") return actual.bits == 0;
    }
    return false;
}

std::string describe_results(const std::vector<Value>& values) {
    std::string text = "[";
    for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + to_string(values[i]);
    return text + "]";
}

std::string describe_expected(const json& expected) {
    std::string text = "[";
    for (size_t i = 0; i < expected.size(); ++i) text += (i ? ", " : "") + describe(expected[i]);
    return text + "]";
}

class Runner {
public:
    Runner(fs::path json_path, std::string script, bool verbose)
        : dir_(json_path.parent_path()), script_(std::move(script)), store_(limits()),
          verbose_skips_(verbose) {
        make_spectest();
    }

    void run(const json& commands) {
        for (const json& command : commands) {
            int line = command.value("line", 0);
            std::string type = command.value("type", "");
            if (const Deviation* d = deviation(line)) {
                skip(line, type, std::string(d->reason));
                continue;
            }
            try {
                if (execute(command, type))
                    ++passed_;
                else
                    skip(line, type, "text-format module (wabt's business)");
            } catch (const Failure& failure) {
                ++failed_;
                std::cout << script_ << ".wast:" << line << ": " << type << ": " << failure.what()
                          << "\n";
            } catch (const std::exception& e) {
                ++failed_;
                std::cout << script_ << ".wast:" << line << ": " << type
                          << ": unexpected exception: " << e.what() << "\n";
            }
        }
    }

    int passed_ = 0, failed_ = 0, skipped_ = 0;

private:
    static SandboxLimits limits() {
        SandboxLimits l;
        // Effectively unlimited: 2^63-1 units would take centuries.
        l.fuel = std::numeric_limits<int64_t>::max();
        l.max_memory_pages = 65536;
        return l;
    }

    const Deviation* deviation(int line) const {
        for (const Deviation& d : known_deviations)
            if (d.script == script_ && d.line == line) return &d;
        return nullptr;
    }

    void skip(int line, const std::string& type, const std::string& why) {
        ++skipped_;
        if (verbose_skips_)
            std::cout << script_ << ".wast:" << line << ": " << type << ": skipped: " << why
                      << "\n";
    }

    void make_spectest() {
        auto nothing = [](HostCall&) {};
        auto func = [&](std::string name, std::vector<ValType> params) {
            Function* f = store_.create_host_function(FuncType{std::move(params), {}}, nothing,
                                                      "spectest." + name);
            spectest_[name] = f;
        };
        func("print", {});
        func("print_i32", {ValType::I32});
        func("print_i64", {ValType::I64});
        func("print_f32", {ValType::F32});
        func("print_f64", {ValType::F64});
        func("print_i32_f32", {ValType::I32, ValType::F32});
        func("print_f64_f64", {ValType::F64, ValType::F64});
        spectest_["global_i32"] =
            store_.create_global(GlobalType{ValType::I32, false}, Value::i32(666));
        spectest_["global_i64"] =
            store_.create_global(GlobalType{ValType::I64, false}, Value::i64(666));
        spectest_["global_f32"] =
            store_.create_global(GlobalType{ValType::F32, false}, Value::f32(666.6f));
        spectest_["global_f64"] =
            store_.create_global(GlobalType{ValType::F64, false}, Value::f64(666.6));
        spectest_["table"] = store_.create_table(TableType{ValType::FuncRef, {10, 20}},
                                                 Value::null(ValType::FuncRef));
        spectest_["memory"] = store_.create_memory(MemoryType{{1, 2}});
    }

    std::optional<Extern> resolve(const Import& import) const {
        if (import.module == "spectest") {
            auto it = spectest_.find(import.name);
            if (it == spectest_.end()) return std::nullopt;
            return it->second;
        }
        auto it = registered_.find(import.module);
        if (it == registered_.end()) return std::nullopt;
        return it->second->find_export(import.name);
    }

    std::shared_ptr<const Module> load(const json& command) {
        return load_module(read_file(dir_ / command.at("filename").get<std::string>()));
    }

    Instance& instantiate(std::shared_ptr<const Module> module) {
        return store_.instantiate(std::move(module),
                                  [this](const Import& import) { return resolve(import); });
    }

    Instance& instance_named(const json& action) {
        if (action.contains("module")) {
            auto it = named_.find(action["module"].get<std::string>());
            if (it == named_.end() || !it->second)
                throw Failure("no module " + action["module"].get<std::string>());
            return *it->second;
        }
        if (!current_) throw Failure("no current module");
        return *current_;
    }

    std::vector<Value> perform(const json& action) {
        Instance& instance = instance_named(action);
        std::string field = action.at("field");
        std::string type = action.at("type");
        std::optional<Extern> ext = instance.find_export(field);
        if (!ext) throw Failure("no export \"" + field + "\"");
        if (type == "get") {
            auto* global = std::get_if<Global*>(&*ext);
            if (!global) throw Failure("export \"" + field + "\" is not a global");
            return {get(**global)};
        }
        auto* function = std::get_if<Function*>(&*ext);
        if (!function) throw Failure("export \"" + field + "\" is not a function");
        std::vector<Value> args;
        for (const json& arg : action.at("args")) args.push_back(parse_value(arg));
        return store_.call(**function, args);
    }

    static std::string_view error_class(const std::exception& e) {
        if (dynamic_cast<const DecodeError*>(&e)) return "a decode error";
        if (dynamic_cast<const ValidationError*>(&e)) return "a validation error";
        if (dynamic_cast<const LinkError*>(&e)) return "a link error";
        if (dynamic_cast<const Trap*>(&e)) return "a trap";
        return "an exception";
    }

    /// Expects `body` to throw E whose message contains `text`. An error of
    /// another class fails even if its message matches.
    template <typename E, typename F>
    void expect_error(const std::string& text, const char* kind, F body) {
        std::string expected = std::string("expected ") + kind + " \"" + text + "\"";
        try {
            body();
        } catch (const Failure&) {
            throw;
        } catch (const std::exception& e) {
            if (!dynamic_cast<const E*>(&e))
                throw Failure(expected + ", got " + std::string(error_class(e)) + ": " + e.what());
            if (std::string_view(e.what()).find(text) == std::string_view::npos)
                throw Failure(expected + ", got: " + e.what());
            return;
        }
        throw Failure(expected + ", but it succeeded");
    }

    /// Runs one command; false if it is to be skipped.
    bool execute(const json& c, const std::string& type) {
        if (c.value("module_type", "binary") != "binary") return false;
        std::string text = c.value("text", "");
        if (type == "module") {
            current_ = nullptr;
            if (c.contains("name")) named_[c["name"].get<std::string>()] = nullptr;
            Instance& instance = instantiate(load(c));
            current_ = &instance;
            if (c.contains("name")) named_[c["name"].get<std::string>()] = current_;
            return true;
        }
        if (type == "register") {
            Instance* instance = current_;
            if (c.contains("name")) {
                auto it = named_.find(c["name"].get<std::string>());
                instance = it == named_.end() ? nullptr : it->second;
            }
            if (!instance) throw Failure("nothing to register");
            registered_[c.at("as").get<std::string>()] = instance;
            return true;
        }
        if (type == "action") {
            perform(c.at("action"));
            return true;
        }
        if (type == "assert_return") {
            std::vector<Value> results = perform(c.at("action"));
            const json& expected = c.at("expected");
            bool ok = results.size() == expected.size();
            for (size_t i = 0; ok && i < results.size(); ++i) ok = matches(expected[i], results[i]);
            if (!ok)
                throw Failure("expected " + describe_expected(expected) + ", got " +
                              describe_results(results));
            return true;
        }
        if (type == "assert_trap" || type == "assert_exhaustion") {
            expect_error<Trap>(text, "trap", [&] { perform(c.at("action")); });
            return true;
        }
        if (type == "assert_malformed") {
            expect_error<DecodeError>(text, "decode error", [&] { load(c); });
            return true;
        }
        if (type == "assert_invalid") {
            expect_error<ValidationError>(text, "validation error", [&] { load(c); });
            return true;
        }
        if (type == "assert_unlinkable") {
            auto module = load(c);
            expect_error<LinkError>(text, "link error", [&] { instantiate(module); });
            return true;
        }
        if (type == "assert_uninstantiable") {
            auto module = load(c);
            expect_error<Trap>(text, "trap", [&] { instantiate(module); });
            return true;
        }
        throw Failure("unknown command type " + type);
    }

    fs::path dir_;
    std::string script_;
    Store store_;
    bool verbose_skips_;
    std::map<std::string, Extern> spectest_;
    std::map<std::string, Instance*> registered_;
    std::map<std::string, Instance*> named_;
    Instance* current_ = nullptr;
};

} // namespace

int main(int argc, char** argv) {
    bool verbose = argc == 3 && std::string_view(argv[1]) == "--verbose";
    if (argc != 2 && !verbose) {
        std::cerr << "usage: spec_runner [--verbose] SCRIPT.json (from wast2json)\n"
                     "  --verbose  also list each skipped command and why\n";
        return 2;
    }
    fs::path path = argv[argc - 1];
    std::string script = path.stem().string();
    json document;
    try {
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot read " + path.string());
        document = json::parse(in);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
    const json& commands = document.at("commands");

    if (script.rfind("simd_", 0) == 0) {
        // The engine refuses SIMD modules (a load-time error naming the feature).
        std::cout << script << ": SIMD is not supported; the whole script is skipped\n";
        std::cout << script << ": passed 0, failed 0, skipped " << commands.size() << "\n";
        return 0;
    }

    Runner runner(path, script, verbose);
    runner.run(commands);
    std::cout << script << ": passed " << runner.passed_ << ", failed " << runner.failed_
              << ", skipped " << runner.skipped_ << "\n";
    return runner.failed_ ? 1 : 0;
}
