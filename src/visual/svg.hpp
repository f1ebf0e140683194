#pragma once

#include <string>
#include <string_view>

/// A small writer of SVG markup: shapes and text appended in drawing order. Numbers are
/// written with one decimal (enough at screen resolution); text is XML-escaped.
namespace conc_probe::visual {

/// `text` with &, <, >, " and ' replaced by entities (for XML/HTML text and attributes).
std::string escape_xml(std::string_view text);

class Svg {
 public:
  /// Starts a drawing of width × height user units; `label` becomes its <title>.
  Svg(double width, double height, std::string_view label);

  void line(double x1, double y1, double x2, double y2, std::string_view style);
  void rect(double x, double y, double w, double h, std::string_view style);
  void circle(double cx, double cy, double r, std::string_view style);
  /// `anchor` is "start", "middle" or "end"; `style` extra attributes (e.g. class="axis").
  void text(double x, double y, std::string_view content, std::string_view anchor = "start",
            std::string_view style = "");
  /// A polyline through "x,y x,y ..." points.
  void polyline(std::string_view points, std::string_view style);
  /// Opens a group with a tooltip (<title>), for a series or a cell.
  void begin_group(std::string_view tooltip);
  void end_group();

  /// The finished document (closes the root element).
  [[nodiscard]] std::string finish() const;

 private:
  std::string body_;
};

/// "x,y " with one decimal each, for Svg::polyline.
std::string point(double x, double y);

}  // namespace conc_probe::visual
