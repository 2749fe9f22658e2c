// `wasmacro cache stats [--json] | prune --max-size SIZE | clear`: the
// expansion cache (src/cache) in the directory the environment names.
#include "driver/commands.hpp"

#include "cache/store.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <ostream>

namespace wasmacro::driver {
namespace {

std::shared_ptr<cache::Store> open_configured() {
    cache::Config config = cache::config_from_environment();
    return cache::Store::open(config.dir, config.max_bytes);
}

std::string mib(uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

} // namespace

bool take_no_cache_flag(std::vector<std::string>& args) {
    auto flag = std::find(args.begin(), args.end(), "--no-cache");
    if (flag == args.end()) return false;
    args.erase(flag);
    // rustc's child processes (the bridge inside it) read the same switch.
    setenv("WASMACRO_CACHE", "off", 1);
    return true;
}

void add_cache_command(CLI::App& app, Context& ctx) {
    CLI::App* cmd = app.add_subcommand(
        "cache", "Manage the expansion cache ($WASMACRO_CACHE_DIR or ~/.cache/wasmacro)");
    cmd->require_subcommand(1);

    auto json = std::make_shared<bool>(false);
    CLI::App* stats = cmd->add_subcommand(
        "stats", "Entries and their size; hits and misses since the last clear");
    stats->add_flag("--json", *json, "As one JSON object");
    stats->callback([json, &ctx] {
        auto store = open_configured();
        cache::Stats s = store->stats();
        if (*json) {
            nlohmann::json j = {{"dir", store->dir().string()},
                                {"entries", s.entries},
                                {"bytes", s.bytes},
                                {"hits", s.hits},
                                {"misses", s.misses},
                                {"stores", s.stores}};
            ctx.out << j.dump() << "\n";
            return;
        }
        ctx.out << fmt::format("expansion cache: {}\nentries: {}\nbytes:   {} ({})\nhits:    "
                               "{}\nmisses:  {}\nstored:  {}\n",
                               store->dir().string(), s.entries, s.bytes, mib(s.bytes), s.hits,
                               s.misses, s.stores);
    });

    auto size = std::make_shared<std::string>();
    CLI::App* prune =
        cmd->add_subcommand("prune", "Remove the least recently used entries down to a size");
    prune->add_option("--max-size", *size, "e.g. 500M or 2G (binary units), or bytes")->required();
    prune->callback([size, &ctx] {
        uint64_t max = cache::parse_size(*size);
        cache::PruneResult r = open_configured()->prune(max);
        ctx.out << fmt::format("removed {} entries ({}); kept {} ({})\n", r.removed,
                               mib(r.removed_bytes), r.kept, mib(r.kept_bytes));
    });

    CLI::App* clear = cmd->add_subcommand("clear", "Remove every entry and zero the counters");
    clear->callback([&ctx] {
        auto store = open_configured();
        uint64_t entries = store->stats().entries;
        store->clear();
        ctx.out << fmt::format("removed {} entries from {}\n", entries, store->dir().string());
    });
}

} // namespace wasmacro::driver
