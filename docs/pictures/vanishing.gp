# The picture 'vanishing', drawn by tapegrad from its own numbers (tapegrad graph vanishing).
# tapegrad sets outfile (and outtext) to temporary files and puts them in
# place once they are whole; run by hand, the script draws the files below.
if (!exists("outfile")) outfile = 'docs/pictures/vanishing.png'
set terminal pngcairo noenhanced size 900,600 font ',10'
set output outfile
set logscale y
set format y '1e%T'
set grid
set key outside right top
set xrange [1:100]
set xlabel 't (the loss reads h_T, T = 100)'
set ylabel '||dL/dx_t||'
set title 'How much of the gradient reaches step t (Keras initialisers, mean over 5 seeds)'
plot 'docs/pictures/vanishing.dat' using 1:2 with lines lw 2 lt 1 title 'SimpleRNN', \
     'docs/pictures/vanishing.dat' using 1:3 with lines lw 2 lt 2 title 'LSTM b_f = 0', \
     'docs/pictures/vanishing.dat' using 1:4 with lines lw 2 lt 3 title 'LSTM b_f = 1', \
     'docs/pictures/vanishing.dat' using 1:5 with lines lw 2 lt 4 title 'LSTM b_f = 3', \
     'docs/pictures/vanishing.dat' using 1:6 with lines lw 2 lt 5 title 'peephole LSTM b_f = 0', \
     'docs/pictures/vanishing.dat' using 1:7 with lines lw 2 lt 6 title 'peephole LSTM b_f = 1', \
     'docs/pictures/vanishing.dat' using 1:8 with lines lw 2 lt 7 title 'peephole LSTM b_f = 3'

if (!exists("outtext") || outtext eq '') outtext = 'docs/pictures/vanishing.txt'
set terminal dumb noenhanced size 100,40
set output outtext
unset grid
set key below
set title 'log10 ||dL/dx_t||'
plot 'docs/pictures/vanishing.dat' using 1:2 with lines lt 1 title 'SimpleRNN', \
     'docs/pictures/vanishing.dat' using 1:3 with lines lt 2 title 'LSTM b_f = 0', \
     'docs/pictures/vanishing.dat' using 1:4 with lines lt 3 title 'LSTM b_f = 1', \
     'docs/pictures/vanishing.dat' using 1:5 with lines lt 4 title 'LSTM b_f = 3', \
     'docs/pictures/vanishing.dat' using 1:6 with lines lt 5 title 'peephole LSTM b_f = 0', \
     'docs/pictures/vanishing.dat' using 1:7 with lines lt 6 title 'peephole LSTM b_f = 1', \
     'docs/pictures/vanishing.dat' using 1:8 with lines lt 7 title 'peephole LSTM b_f = 3'
set output
