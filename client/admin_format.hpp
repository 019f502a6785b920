// Admin results for people (aligned text tables) and programs (JSON), as
// `kcli metadata|topics|groups` prints them.
#pragma once

#include <string>
#include <vector>

#include "client/admin.hpp"

namespace kafka {

// Columns padded to their widest cell; the first row is the header.
class TextTable {
public:
    // `right` marks the columns to right-align (numbers).
    explicit TextTable(std::vector<std::string> header, std::vector<bool> right = {});
    void add(std::vector<std::string> row);
    size_t rows() const { return rows_.size() - 1; }
    std::string render(size_t indent = 0) const;

private:
    std::vector<std::vector<std::string>> rows_;
    std::vector<bool> right_;
};

// kcat -L's layout, with a partition table per topic and one table of the API
// versions every broker supports.
std::string format_cluster_text(const ClusterDescription& c);
std::string format_cluster_json(const ClusterDescription& c);

std::string format_topic_list_text(const std::vector<TopicListing>& topics);
std::string format_topic_list_json(const std::vector<TopicListing>& topics);

// `verb` is "created" or "deleted".
std::string format_topic_results_text(const std::vector<TopicResult>& results, const std::string& verb);
std::string format_topic_results_json(const std::vector<TopicResult>& results);

std::string format_group_list_text(const std::vector<GroupListing>& groups);
std::string format_group_list_json(const std::vector<GroupListing>& groups);

std::string format_group_descriptions_text(const std::vector<GroupDescription>& groups);
std::string format_group_descriptions_json(const std::vector<GroupDescription>& groups);

std::string format_group_lag_text(const GroupLag& lag);
std::string format_group_lag_json(const GroupLag& lag);

// {"error":"NAME","message":"..."}: a failed call, for -J output.
std::string format_error_json(std::error_code ec, const std::string& message);

}  // namespace kafka
