using Microsoft.ML;
using Microsoft.ML.Data;

namespace NeuralShield.MLNet;

/// <summary>
/// Rows of features as an <see cref="IDataView"/> with a model's input schema: the feature columns read the rows, every
/// other input column (the label, weights, text) holds its type's default, so that a saved pipeline that still names
/// them (a label's value-to-key mapping) runs.
/// </summary>
internal sealed class FeatureDataView(DataViewSchema schema, IReadOnlyList<FeatureDataView.FeatureSlice> features, float[] values, int rows, int width) : IDataView
{
    private readonly float[] _values = values;
    private readonly int _width = width;
    private readonly int _rows = rows;
    private readonly IReadOnlyList<FeatureSlice> _features = features;

    /// <summary>Where a feature column's values lie in a row: <paramref name="Width"/> features from <paramref name="Offset"/>; width 0 marks a scalar.</summary>
    internal readonly record struct FeatureSlice(int Column, int Offset, int Width);

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = schema;

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this, columnsNeeded)];

    private sealed class Cursor(FeatureDataView view, IEnumerable<DataViewSchema.Column> needed) : DataViewRowCursor
    {
        private readonly HashSet<int> _active = needed.Select(c => c.Index).ToHashSet();
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rows)
            {
                _position = view._rows;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            foreach (var slice in view._features)
            {
                if (slice.Column != column.Index) continue;
                if (slice.Width == 0)
                {
                    ValueGetter<float> scalar = (ref float value) => value = view._values[checked((int)_position) * view._width + slice.Offset];
                    return (ValueGetter<TValue>)(Delegate)scalar;
                }
                ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, slice.Width);
                    view._values.AsSpan(checked((int)_position) * view._width + slice.Offset, slice.Width).CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)vector;
            }
            var type = column.Type;
            if (type is VectorDataViewType { Size: > 0 } vectorType)
                return (ValueGetter<TValue>)typeof(Cursor).GetMethod(nameof(ZeroVector), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(vectorType.ItemType.RawType).Invoke(null, [vectorType.Size])!;
            return (ref TValue value) => value = default!;
        }

        private static ValueGetter<VBuffer<T>> ZeroVector<T>(int size) => (ref VBuffer<T> value) => value = new VBuffer<T>(size, 0, [], []);
    }
}
