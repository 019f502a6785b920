// A move-only std::function (std::move_only_function is C++23). Completion
// handlers and Asio composed operations are move-only, so the queues in net/
// store their callbacks in this.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace kafka::net {

template <class Signature>
class UniqueFunction;

template <class R, class... Args>
class UniqueFunction<R(Args...)> {
public:
    UniqueFunction() = default;
    UniqueFunction(std::nullptr_t) {}  // NOLINT: implicit like std::function
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, UniqueFunction> &&
                                                std::is_invocable_r_v<R, std::decay_t<F>&, Args...>>>
    UniqueFunction(F&& f)  // NOLINT: implicit like std::function
        : impl_(std::make_unique<Model<std::decay_t<F>>>(std::forward<F>(f))) {}

    UniqueFunction(UniqueFunction&&) noexcept = default;
    UniqueFunction& operator=(UniqueFunction&&) noexcept = default;

    explicit operator bool() const noexcept { return impl_ != nullptr; }
    R operator()(Args... args) { return impl_->call(std::forward<Args>(args)...); }

private:
    struct Concept {
        virtual ~Concept() = default;
        virtual R call(Args... args) = 0;
    };
    template <class F>
    struct Model final : Concept {
        explicit Model(F&& f) : fn(std::move(f)) {}
        explicit Model(const F& f) : fn(f) {}
        R call(Args... args) override { return fn(std::forward<Args>(args)...); }
        F fn;
    };
    std::unique_ptr<Concept> impl_;
};

}  // namespace kafka::net
