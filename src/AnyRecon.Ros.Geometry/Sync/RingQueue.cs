namespace AnyRecon.Ros.Geometry;

/// <summary>A growable FIFO with indexed access (Queue&lt;T&gt; has none); reuses its array, so steady state allocates nothing.</summary>
internal sealed class RingQueue<T>
{
    private T[] _items;
    private int _start;
    private int _count;

    public RingQueue(int capacity) => _items = new T[Math.Max(4, capacity)];

    public int Count => _count;

    public ref readonly T this[int index] => ref _items[(_start + index) % _items.Length];

    public void Enqueue(T item)
    {
        if (_count == _items.Length)
        {
            var items = new T[_items.Length * 2];
            for (int i = 0; i < _count; i++) items[i] = this[i];
            _items = items;
            _start = 0;
        }
        _items[(_start + _count) % _items.Length] = item;
        _count++;
    }

    public T Dequeue()
    {
        if (_count == 0) throw new InvalidOperationException("Queue is empty.");
        var item = _items[_start];
        _items[_start] = default!; // let the payload be collected
        _start = (_start + 1) % _items.Length;
        _count--;
        return item;
    }

    public void RemoveFirst(int count)
    {
        for (int i = 0; i < count; i++) Dequeue();
    }
}
