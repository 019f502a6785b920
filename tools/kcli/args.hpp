// A small flag parser for kcli subcommands: "-b x", "--api x", "--api=x",
// repeated flags, boolean flags, and positional arguments.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kcli {

class Args {
public:
    // `with_value` lists the flags that take a value (e.g. {"-b", "--api"}).
    Args(int argc, char** argv, std::set<std::string> with_value) : with_value_(std::move(with_value)) {
        for (int i = 0; i < argc; ++i) {
            std::string a = argv[i];
            if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && a[1] >= '0' && a[1] <= '9')) {
                std::string name = a, value;
                bool has_inline = false;
                if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
                    name = a.substr(0, eq);
                    value = a.substr(eq + 1);
                    has_inline = true;
                }
                if (with_value_.count(name)) {
                    if (!has_inline) {
                        if (i + 1 >= argc) {
                            error_ = "flag " + name + " needs a value";
                            return;
                        }
                        value = argv[++i];
                    }
                    values_[name].push_back(value);
                } else {
                    flags_.insert(name);
                }
            } else {
                positional_.push_back(a);
            }
        }
    }

    bool has(const std::string& f) const { return flags_.count(f) || values_.count(f); }
    std::optional<std::string> get(const std::string& f) const {
        auto it = values_.find(f);
        if (it == values_.end()) return std::nullopt;
        return it->second.back();
    }
    std::vector<std::string> all(const std::string& f) const {
        auto it = values_.find(f);
        return it == values_.end() ? std::vector<std::string>{} : it->second;
    }
    const std::vector<std::string>& positional() const { return positional_; }
    const std::string& error() const { return error_; }
    // Flags given that the subcommand does not know.
    std::vector<std::string> unknown(const std::set<std::string>& known_flags) const {
        std::vector<std::string> out;
        for (const auto& f : flags_)
            if (!known_flags.count(f)) out.push_back(f);
        return out;
    }

private:
    std::set<std::string> with_value_;
    std::map<std::string, std::vector<std::string>> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
    std::string error_;
};

}  // namespace kcli
